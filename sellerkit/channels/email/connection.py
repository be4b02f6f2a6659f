"""Connecting to a channel's IMAP server over verified TLS, and turning what goes wrong into a ChannelError."""
import socket
import ssl

from flask import current_app, has_app_context
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from sellerkit.channels.email import labels
from sellerkit.channels.kinds import ChannelError
from sellerkit.outbox.netguard import is_loopback, refusal_reason
from sellerkit.outbox.transports import tls_context

TIMEOUT = 30


def ca_file():
    """The extra CA that TLS to mail servers trusts (MAIL_CA_FILE, for a private CA), when there is an app."""
    return current_app.config.get("MAIL_CA_FILE") if has_app_context() else None


def channel_error(error, step):
    """The ChannelError for an exception met during `step` (connect, login, folder), with what to fix."""
    if isinstance(error, ChannelError):
        return error
    if isinstance(error, socket.gaierror):
        return ChannelError("dns", labels.ERRORS["dns"])
    if isinstance(error, ssl.SSLCertVerificationError):
        return ChannelError("tls", labels.ERRORS["tls_certificate"])
    if isinstance(error, ssl.SSLError):
        return ChannelError("tls", labels.ERRORS["tls"])
    if isinstance(error, IMAPClientAbortError):
        return ChannelError("network", labels.ERRORS["network"])  # the server hung up midway
    if isinstance(error, LoginError) or (step == "login" and isinstance(error, IMAPClientError)):
        return ChannelError("auth", labels.ERRORS["auth"])
    if step == "folder" and isinstance(error, IMAPClientError):
        return ChannelError("folder", labels.ERRORS["folder"])
    if isinstance(error, TimeoutError):
        return ChannelError("network", labels.ERRORS["timeout"])
    if isinstance(error, OSError):
        return ChannelError("network", labels.ERRORS["network"])
    return ChannelError("protocol", labels.ERRORS["protocol"])


def refuse_metadata(host, port):
    """A mail server may be on the seller's own network, but never a cloud metadata service (which hands out the
    host's credentials): raise ChannelError("not_allowed") for a host that resolves to one."""
    for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if refusal_reason(info[4][0], allow_private=True):
            raise ChannelError("not_allowed", labels.ERRORS["not_allowed"])


def open_imap(settings, timeout=TIMEOUT):
    """A connected IMAPClient, encrypted with a verified certificate (plain only to this computer); not logged in."""
    host, port, security = settings["imap_host"], int(settings["imap_port"]), settings["imap_security"]
    if security == "none" and not is_loopback(host):
        raise ChannelError("tls", labels.ERRORS["plain_remote"])
    refuse_metadata(host, port)
    context = tls_context(ca_file())
    client = IMAPClient(host, port=port, ssl=security == "tls", ssl_context=context, timeout=timeout)
    client.normalise_times = False  # arrival times with their offset, not in this computer's local time
    if security == "starttls":
        try:
            client.starttls(context)
        except BaseException:
            client.shutdown()
            raise
    return client


def logged_in(settings, secrets, timeout=TIMEOUT):
    """A client logged in to the channel's mailbox; raises ChannelError with what to fix."""
    try:
        client = open_imap(settings, timeout)
    except Exception as error:  # noqa: BLE001 - every failure becomes the seller's words, by its kind
        raise channel_error(error, "connect") from error
    try:
        client.login(settings["username"], secrets.get("password") or "")
    except Exception as error:  # noqa: BLE001
        client.shutdown()
        raise channel_error(error, "login") from error
    return client


def select(client, folder):
    """Select `folder` read-only (fetching never changes the seller's mailbox): its SELECT answer."""
    try:
        return client.select_folder(folder or "INBOX", readonly=True)
    except Exception as error:  # noqa: BLE001
        raise channel_error(error, "folder") from error


def close(client):
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - the work is done; a server that hangs up first changes nothing
        client.shutdown()
