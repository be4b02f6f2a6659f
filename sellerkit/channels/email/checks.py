"""The connection test of an e-mail channel: each step (name, TLS, login, folder, SMTP) says what to fix."""
import smtplib
import socket
import ssl

from sellerkit.channels.email import connection, labels
from sellerkit.channels.kinds import ChannelError, Check
from sellerkit.outbox.netguard import is_loopback
from sellerkit.outbox.transports import channel_smtp_settings, tls_context

TIMEOUT = 15


def _failed(step, error):
    return Check(step, False, error.detail or labels.ERRORS.get(error.code, labels.ERRORS["protocol"]))


def _smtp_problem(error):
    if isinstance(error, socket.gaierror):
        return labels.ERRORS["smtp_dns"]
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return labels.ERRORS["smtp_auth"]
    if isinstance(error, ssl.SSLCertVerificationError):
        return labels.ERRORS["tls_certificate"]
    if isinstance(error, (ssl.SSLError, smtplib.SMTPNotSupportedError)):
        return labels.ERRORS["smtp_tls"]
    return labels.ERRORS["smtp_network"]


def check_smtp(settings, secrets):
    """Connect, encrypt and log in to the outgoing server as sending will, and send nothing: None or what to fix."""
    smtp = channel_smtp_settings(settings, secrets, connection.ca_file())
    if settings.get("smtp_security") == "none" and not is_loopback(smtp["server"]):
        return labels.ERRORS["plain_remote"]
    context = tls_context(smtp["ca_file"])
    client = None
    try:
        connection.refuse_metadata(smtp["server"], int(smtp["port"]))
        if smtp["use_ssl"]:
            client = smtplib.SMTP_SSL(smtp["server"], int(smtp["port"]), timeout=TIMEOUT, context=context)
        else:
            client = smtplib.SMTP(smtp["server"], int(smtp["port"]), timeout=TIMEOUT)
            if smtp["use_starttls"]:
                client.starttls(context=context)
        if smtp["username"]:
            client.login(smtp["username"], smtp["password"] or "")
        client.noop()
    except ChannelError as error:
        return error.detail
    except (smtplib.SMTPException, OSError) as error:
        return _smtp_problem(error)
    finally:
        if client is not None:
            client.close()
    return None


def run_checks(settings, secrets):
    """One Check per step, stopping at the first that failed."""
    checks = []
    try:
        socket.getaddrinfo(settings["imap_host"], int(settings["imap_port"]), type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return [Check("dns", False, labels.ERRORS["dns"])]
    checks.append(Check("dns", True, labels.PASSED["dns"]))
    try:
        client = connection.open_imap(settings, TIMEOUT)
    except Exception as error:  # noqa: BLE001 - each failure is told in the seller's words, by its kind
        return checks + [_failed("tls", connection.channel_error(error, "connect"))]
    plain = settings["imap_security"] == "none"
    checks.append(Check("tls", True, labels.PASSED["plain" if plain else "tls"]))
    try:
        try:
            client.login(settings["username"], secrets.get("password") or "")
        except Exception as error:  # noqa: BLE001
            return checks + [_failed("login", connection.channel_error(error, "login"))]
        checks.append(Check("login", True, labels.PASSED["login"]))
        try:
            connection.select(client, settings.get("folder"))
        except ChannelError as error:
            return checks + [_failed("folder", error)]
        checks.append(Check("folder", True, labels.PASSED["folder"]))
    finally:
        connection.close(client)
    problem = check_smtp(settings, secrets)
    return checks + [Check("smtp", problem is None, problem or labels.PASSED["smtp"])]
