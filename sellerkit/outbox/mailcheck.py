"""Asking the configured mail server whether it would take a shop's replies: connect, EHLO, STARTTLS, login."""
import smtplib
import ssl

#: A settings page waits for the answer: a server that has not answered in this time is as good as down.
CHECK_TIMEOUT_SECONDS = 5


def mail_server_problem(config):
    """Why the configured SMTP server cannot send replies, as a code ("not_configured", "unreachable", "tls",
    "login"), or None when it answers, and takes STARTTLS and the login when the configuration asks for them.
    Nothing is sent."""
    server = config.get("MAIL_SERVER")
    if not server:
        return "not_configured"
    client = smtplib.SMTP(timeout=CHECK_TIMEOUT_SECONDS)
    try:
        code, _banner = client.connect(server, int(config.get("MAIL_PORT") or 25))
        if code != 220:
            return "unreachable"
        client.ehlo()
        if config.get("MAIL_USE_STARTTLS"):
            try:
                client.starttls(context=ssl.create_default_context())
            except (smtplib.SMTPException, ssl.SSLError):
                return "tls"
        if config.get("MAIL_USERNAME"):
            try:
                client.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            except (smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError):
                return "login"
        client.quit()
    except (smtplib.SMTPException, OSError):  # refused, timed out, hung up, not SMTP at all
        return "unreachable"
    finally:
        client.close()
    return None
