"""Outgoing system mail (password resets); without a mail server the message goes to the log."""
import smtplib
from email.message import EmailMessage

from flask import current_app


def send_system_mail(to, subject, body):
    """Send a plain-text message; EmailMessage refuses CR/LF in headers, so no field can inject one."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if not config.get("MAIL_SERVER"):
        current_app.logger.warning("No mail server configured; mail to %s:\n%s\n%s", to, subject, body)
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_STARTTLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
