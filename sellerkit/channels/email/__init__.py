"""The e-mail channel: buyers' mail read from an IMAP folder, replies sent through the mailbox's SMTP server."""


def init_app(app):
    from sellerkit.channels.email.kind import EmailKind
    from sellerkit.channels.kinds import register_kind

    register_kind(app, EmailKind())
