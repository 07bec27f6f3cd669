#!/usr/bin/python3
"""A misbehaving SSH server on 127.0.0.1, for tests only: one scenario per process, built on paramiko (a real SSH
server library) where the misbehaviour is above the transport, on a raw socket where it is below it.

Usage: hostile_server.py SCENARIO [ARG]
Prints one line when listening: "PORT <port> HOSTKEY <type> <base64>" (the host key for a known_hosts line).
Serves connections until killed.
"""
import socket
import sys
import threading
import time

import paramiko

HOSTILE_NAME = "\x1b]0;pwned\x07Round name"
HOSTILE_INSTRUCTION = "\x1b[2J\x1b[HEnter your SSH key passphrase for root@prod:\r"
HOSTILE_PROMPT = "Code\u202e:lave\x1b[31m: "
HOSTILE_BANNER = "Welcome\x1b[2J\r\nAuthorized use only\x1b]0;title\x07\r\n"
HOSTILE_VERSION = "SSH-2.0-Evil\x1b]0;pwned\x07\u202eOpenSSH\x1b[2J"
HOSTILE_REASON = "Bye\x1b[31m\u202eevil\x1b]0;title\x07\r\nforged log line\x9b"

scenario = sys.argv[1]
argument = sys.argv[2] if len(sys.argv) > 2 else ""
host_key = paramiko.ECDSAKey.generate()


class Server(paramiko.ServerInterface):
    def __init__(self):
        self.started = threading.Event()
        self.rounds = 0

    def get_allowed_auths(self, username):
        if scenario == "auth-refused":
            return "publickey,keyboard-interactive"
        return "keyboard-interactive" if scenario.startswith("kbd") else "password"

    def check_auth_password(self, username, password):
        # partial-endless: every password is a partial success and password is all that is left, for ever.
        # auth-refused: every password is refused, and the failure names what the server still allows.
        if scenario == "auth-refused":
            return paramiko.AUTH_FAILED
        return paramiko.AUTH_PARTIALLY_SUCCESSFUL if scenario == "partial-endless" else paramiko.AUTH_SUCCESSFUL

    def get_banner(self):
        return (HOSTILE_BANNER, "en-US") if scenario == "kbd-hostile" else (None, None)

    def check_auth_interactive(self, username, submethods):
        return self.query()

    def check_auth_interactive_response(self, responses):
        if scenario == "kbd-endless":
            return self.query()
        return paramiko.AUTH_SUCCESSFUL

    def query(self):
        self.rounds += 1
        if scenario == "kbd-hostile":
            query = paramiko.InteractiveQuery(HOSTILE_NAME, HOSTILE_INSTRUCTION)
            query.add_prompt(HOSTILE_PROMPT, False)
        else:
            query = paramiko.InteractiveQuery("", "round %d" % self.rounds)
            query.add_prompt("Code %d: " % self.rounds, False)
        if scenario == "kbd-disconnect":
            # Send the round, then hang up before any answer can arrive.
            threading.Timer(0.2, self.transport.close).start()
        return query

    def check_channel_request(self, kind, chanid):
        return paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_direct_tcpip_request(self, chanid, origin, destination):
        return paramiko.OPEN_SUCCEEDED if scenario.startswith("forward") else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_exec_request(self, channel, command):
        self.started.set()
        return True

    def check_channel_subsystem_request(self, channel, name):
        if not (scenario.startswith("sftp") and name == "sftp"):
            return False
        self.started.set()
        return True


released = threading.Semaphore(0)


def release_on_stdin():
    """Each line on stdin lets one held batch of answers go (exec-held)."""
    for _ in sys.stdin:
        released.release()


def hold_answers(transport, count):
    """exec-held: the answers to the first COUNT channel opens, and then to their COUNT exec requests, are held until
    all COUNT have arrived and a line comes on stdin. Each arrival is printed ("HELD open 3"), so a client's test knows
    how many starts wait for the server at once. Then each command exits 0 and its channel closes. Each CLOSE the
    client sends is printed ("CLOSED 0", the server's channel number, given in the order the opens arrived)."""
    opens = []
    execs = []

    def on_open(self, m):
        if len(opens) >= count:
            return paramiko.Transport._parse_channel_open(self, m)
        opens.append(m)
        print("HELD open %d" % len(opens), flush=True)
        if len(opens) == count:
            released.acquire()
            for held in opens:
                paramiko.Transport._parse_channel_open(self, held)

    def on_request(channel, m):
        start = m.packet.tell()
        kind = m.get_text()
        m.packet.seek(start)
        if kind != "exec" or len(execs) >= count:
            return paramiko.Channel._handle_request(channel, m)
        execs.append((channel, m))
        print("HELD exec %d" % len(execs), flush=True)
        if len(execs) == count:
            released.acquire()
            for held_channel, held in execs:
                paramiko.Channel._handle_request(held_channel, held)
            for held_channel, _ in execs:
                held_channel.send_exit_status(0)
                held_channel.close()

    transport._handler_table = dict(paramiko.Transport._handler_table)
    transport._handler_table[paramiko.common.MSG_CHANNEL_OPEN] = on_open
    def on_close(channel, m):
        print("CLOSED %d" % channel.get_id(), flush=True)
        return paramiko.Channel._handle_close(channel, m)

    transport._channel_handler_table = dict(paramiko.Transport._channel_handler_table)
    transport._channel_handler_table[paramiko.common.MSG_CHANNEL_REQUEST] = on_request
    transport._channel_handler_table[paramiko.common.MSG_CHANNEL_CLOSE] = on_close


STDIN_WINDOW = 65536


def hold_stdin(transport, count):
    """stdin-held: COUNT commands, whose stdin is not read (its window, STDIN_WINDOW, fills) until every one's is full
    ("FULL 3" is printed) and a line comes on stdin; then each reads its stdin to the end, prints how many bytes it
    read, exits 0 and closes."""
    channels = []
    while len(channels) < count:
        channel = transport.accept(30)
        if channel is None:
            return
        channels.append(channel)
    while transport.is_active() and any(len(channel.in_buffer) < STDIN_WINDOW for channel in channels):
        time.sleep(0.05)
    print("FULL %d" % count, flush=True)
    released.acquire()
    for channel in channels:
        threading.Thread(target=count_stdin, args=(channel,), daemon=True).start()
    while transport.is_active():
        time.sleep(0.5)


def count_stdin(channel):
    total = 0
    while True:
        data = channel.recv(65536)
        if not data:
            break
        total += len(data)
    channel.sendall(b"%d\n" % total)
    channel.send_exit_status(0)
    channel.close()


def serve_paramiko(client):
    transport = paramiko.Transport(client, default_window_size=STDIN_WINDOW) if scenario == "stdin-held" else paramiko.Transport(client)
    transport.add_server_key(host_key)
    server = Server()
    server.transport = transport
    if scenario == "exec-held":
        hold_answers(transport, int(argument))
    transport.start_server(server=server)
    if scenario == "stdin-held":
        hold_stdin(transport, int(argument))
        return
    if scenario == "exec-held":
        while transport.is_active():
            time.sleep(0.5)
        return
    channel = transport.accept(30)
    if channel is None:
        return
    if not scenario.startswith("forward"):
        server.started.wait(30)
    if scenario in ("exec-flood", "exec-flood-ignoring-window", "forward-flood-ignoring-window"):
        flood(channel, transport, int(argument))
    elif scenario == "scp-flood-ignoring-window":
        # Every channel, each on a thread of its own: "scp -f" announcing a file of ARG bytes, then sending them ignoring
        # the window.
        while channel is not None:
            threading.Thread(target=scp_flood, args=(channel, transport, int(argument)), daemon=True).start()
            channel = None
            while channel is None and transport.is_active():
                channel = transport.accept(1)
    elif scenario in ("sftp-flood-ignoring-window", "sftp-huge-packet"):
        # Both announce one DATA packet of ARG bytes; "sftp-huge-packet" then sends it keeping to the window.
        serve_sftp(channel, transport, int(argument))
    elif scenario == "exec-exit-no-close":
        channel.sendall(b"output\n")
        channel.send_exit_status(0)
        # Never EOF, never CLOSE: hold the channel open while the transport lives.
        while transport.is_active():
            time.sleep(0.5)
    elif scenario == "exec-silent":
        while transport.is_active():
            time.sleep(0.5)
    elif scenario == "scp-truncated":
        # "scp -f": announces a 100-byte file, sends 40 bytes of it, then closes the channel.
        channel.recv(1)
        channel.sendall(b"C0644 100 f\n")
        channel.recv(1)
        channel.sendall(b"x" * 40)
        channel.close()
        while transport.is_active():
            time.sleep(0.5)
    elif scenario == "scp-sink":
        # "scp -t": accepts a file header, then takes whatever is sent, for ever.
        channel.sendall(b"\0")
        while transport.is_active() and not channel.closed:
            data = channel.recv(65536)
            if not data:
                break
            if data.startswith(b"C"):
                channel.sendall(b"\0")


def flood(channel, transport, remaining):
    """Sends REMAINING bytes as fast as the client's window allows or, for an "ignoring-window" scenario, as fast as the
    socket takes them; then exit status and close. The connection stays up after, as a real server's does."""
    block = b"x" * 32768
    try:
        while remaining > 0 and transport.is_active():
            if scenario.endswith("ignoring-window"):
                with channel.lock:
                    channel.out_window_size = 1 << 40
            sent = channel.send(block[: min(len(block), remaining)])
            remaining -= sent
        channel.send_exit_status(0)
        channel.close()
    except (EOFError, OSError, paramiko.SSHException):
        pass
    while transport.is_active():
        time.sleep(0.5)


def scp_flood(channel, transport, size):
    channel.recv(1)
    channel.sendall(b"C0644 %d f\n" % size)
    channel.recv(1)
    flood(channel, transport, size)


def serve_sftp(channel, transport, size):
    """The least of an SFTP version 3 server that SSH.NET's DownloadFile needs (INIT, REALPATH, OPEN, FSTAT), with a
    file of SIZE bytes; the first READ is answered with one DATA packet announcing all SIZE bytes, which then come
    as flood() sends them."""
    while transport.is_active():
        header = recv_exactly(channel, 4)
        body = recv_exactly(channel, int.from_bytes(header, "big")) if header else None
        if not body:
            return
        kind, request = body[0], body[1:5]
        if kind == 1:  # INIT -> VERSION 3, no extensions
            send_sftp(channel, b"\x02" + (3).to_bytes(4, "big"))
        elif kind == 16:  # REALPATH -> NAME: everything is "/"
            send_sftp(channel, b"\x68" + request + (1).to_bytes(4, "big") + ssh_string(b"/") + ssh_string(b"/") + (0).to_bytes(4, "big"))
        elif kind == 3:  # OPEN -> HANDLE
            send_sftp(channel, b"\x66" + request + ssh_string(b"h"))
        elif kind == 8:  # FSTAT -> ATTRS with the size
            send_sftp(channel, b"\x69" + request + (1).to_bytes(4, "big") + size.to_bytes(8, "big"))
        elif kind == 5:  # READ -> DATA announcing SIZE bytes
            channel.sendall((9 + size).to_bytes(4, "big") + b"\x67" + request + size.to_bytes(4, "big"))
            flood(channel, transport, size)
            return
        else:  # STATUS: unsupported
            send_sftp(channel, b"\x65" + request + (8).to_bytes(4, "big") + ssh_string(b"unsupported") + ssh_string(b""))


def send_sftp(channel, body):
    channel.sendall(len(body).to_bytes(4, "big") + body)


def recv_exactly(channel, count):
    data = b""
    while len(data) < count:
        chunk = channel.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def serve_raw(client):
    if scenario == "banner-trickle":
        # A valid banner, one byte a second.
        for byte in b"SSH-2.0-Trickle_1.0\r\n":
            client.sendall(bytes([byte]))
            time.sleep(1)
        time.sleep(3600)
    elif scenario == "prebanner-endless":
        # Lines before the banner are allowed (RFC 4253 4.2); these never end, one byte a second.
        while True:
            client.sendall(b"x")
            time.sleep(1)
    elif scenario == "kex-stall":
        # The banner at once, then silence: the key exchange never starts.
        client.sendall(b"SSH-2.0-Stall_1.0\r\n")
        time.sleep(3600)
    elif scenario == "hostile-disconnect":
        # A version string and a disconnect reason full of terminal controls and bidi overrides, sent in the clear
        # before any key exchange: what a client logs and raises before it has checked who it talks to.
        client.sendall(HOSTILE_VERSION.encode("utf-8") + b"\r\n")
        received = b""
        while not received.endswith(b"\n"):
            chunk = client.recv(1)
            if not chunk:
                return
            received += chunk
        time.sleep(0.2)
        client.sendall(packet(b"\x01" + (2).to_bytes(4, "big") + ssh_string(HOSTILE_REASON.encode("utf-8")) + ssh_string(b"en")))
        time.sleep(2)
    elif scenario == "oversized-packet":
        client.sendall(b"SSH-2.0-Oversized_1.0\r\n")
        client.sendall((0x7FFFFFF0).to_bytes(4, "big") + b"\x04" + b"\x00" * 64)
        time.sleep(3600)


def ssh_string(data):
    return len(data).to_bytes(4, "big") + data


def packet(payload):
    """An unencrypted binary packet (RFC 4253 6): length, padding length, payload, at least 4 bytes of padding."""
    padding = 8 - (5 + len(payload)) % 8
    if padding < 4:
        padding += 8
    return (1 + len(payload) + padding).to_bytes(4, "big") + bytes([padding]) + payload + b"\x00" * padding


def serve(client):
    try:
        if scenario.startswith(("kbd", "exec", "forward", "partial", "auth", "scp", "sftp", "stdin")):
            serve_paramiko(client)
        else:
            serve_raw(client)
    except Exception:
        pass
    finally:
        try:
            client.close()
        except OSError:
            pass


if scenario in ("exec-held", "stdin-held"):
    threading.Thread(target=release_on_stdin, daemon=True).start()
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print("PORT %d HOSTKEY %s %s" % (listener.getsockname()[1], host_key.get_name(), host_key.get_base64()), flush=True)
while True:
    connection, _ = listener.accept()
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
