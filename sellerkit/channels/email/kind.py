"""The e-mail channel kind: a mailbox read over IMAP and answered over SMTP."""
from sellerkit.channels.email import checks, idle, linking, mailbox, sending, settings
from sellerkit.channels.email.marketplaces import manual_reply_url
from sellerkit.channels.kinds import ChannelKind
from sellerkit.i18n import lazy_gettext as _l


def _address(channel):
    """The channel's address, from the channel row the layer gives (its `settings`) or from settings themselves."""
    values = channel if isinstance(channel, dict) else channel.settings
    return values["address"]


class EmailKind(ChannelKind):
    name = "email"
    label = _l("E-mail")
    fields = settings.FIELDS
    settings_model = settings.EmailSettings
    presets = settings.PRESETS

    def test(self, settings, secrets, now):
        return checks.run_checks(settings, secrets)

    def first_cursor(self, settings, now):
        return mailbox.first_cursor(settings.get("history_days"), now)

    def fetch(self, settings, secrets, cursor, limit, now):
        return mailbox.fetch(settings, secrets, cursor, limit, now)

    def link(self, shop, channel, fetched, now):
        return linking.link(shop, _address(channel), fetched, now)

    def send(self, settings, secrets, delivery, now):
        sending.send(settings, secrets, delivery, now)

    def wait_for_news(self, settings, secrets, seconds):
        return idle.wait_for_mail(settings, secrets, seconds)

    def manual_reply_url(self, thread):
        return manual_reply_url(thread.external_id)
