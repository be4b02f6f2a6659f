"""Local contract servers of the marketplaces' chat APIs, as their published documentation describes them."""
