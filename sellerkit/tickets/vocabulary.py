"""The words of a platform support profile file: lifecycles, languages, requirable fields, problems."""
LIFECYCLES = ("new", "in_review", "awaiting_details", "answered", "resolved", "closed", "cancelled")
LANGUAGES = ("en", "ru", "pl", "zh", "bn", "fa")
#: The ticket fields a profile may insist on.
REQUIRABLE_FIELDS = ("title", "description", "category", "topic", "order_reference", "attachments")
#: Every category ends with a topic "<category key>_other" for requests that fit no other topic.
OTHER_SUFFIX = "_other"
#: The problems dispute rules name, and the topic each suggests where a profile's [problems] table does not say.
PROBLEM_TOPICS = {"not_received": "order_not_received", "damaged": "item_damaged",
                  "not_as_described": "not_as_described", "wrong_item": "wrong_item", "refund": "refund_request",
                  "cancel": "order_cancellation", "case": "case_opened", "chargeback": "chargeback"}
