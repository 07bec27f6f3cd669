#!/usr/bin/python3
"""paramiko side of the ParamikoJump benchmark: paramiko-jump's mechanism, a direct-tcpip channel opened on the
previous hop's transport and handed to SSHClient.connect(sock=...). Prints one JSON object on stdout."""
import argparse
import json
import resource
import sys
import threading
import time

import paramiko

CHAIN = ["hop1", "hop2", "hop3", "hop4", "hop5"]


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pss_bytes():
    # Proportional set size: what this process adds to the machine, shared pages split among their users.
    with open("/proc/self/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0


class Lab:
    def __init__(self, path):
        with open(path) as f:
            self.doc = json.load(f)
        self.key = paramiko.Ed25519Key.from_private_key_file(self.doc["keys"]["ed25519"])

    def server(self, name):
        return self.doc["servers"][name]

    def client(self, name, sock=None, **auth):
        server = self.server(name)
        user = next(iter(server["users"]))
        client = paramiko.SSHClient()
        client.load_host_keys(self.doc["knownHosts"])
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        if not auth:
            auth = {"pkey": self.key}
        client.connect(server["host"], server["port"], user, sock=sock, look_for_keys=False, allow_agent=False,
                       timeout=30, banner_timeout=30, auth_timeout=60, **auth)
        return client

    def chain(self, hops):
        """Connects hop1 .. hop(hops+1): `hops` jumps, then the target; returns every client, target last."""
        clients = []
        for name in CHAIN[:hops + 1]:
            sock = None
            if clients:
                server = self.server(name)
                sock = clients[-1].get_transport().open_channel("direct-tcpip", (server["host"], server["port"]), ("127.0.0.1", 0))
            clients.append(self.client(name, sock=sock))
        return clients


def close(clients):
    for client in reversed(clients):
        client.close()


def run(client, command):
    _, stdout, _ = client.exec_command(command)
    stdout.read()
    return stdout.channel.recv_exit_status()


def bulk(lab, args):
    # A fresh chain for each transfer, as ssh has: paramiko's re-key on a long-lived transport times out under load.
    results = []
    for _ in range(args.reps):
        clients = lab.chain(args.hops)
        try:
            channel = clients[-1].get_transport().open_session()
            channel.exec_command(f"head -c {args.bytes} /dev/zero")
            first = channel.recv(65536)
            start, cpu = time.perf_counter(), cpu_seconds()
            received = len(first)
            while True:
                data = channel.recv(1 << 20)
                if not data:
                    break
                received += len(data)
            seconds, cpu_used = time.perf_counter() - start, cpu_seconds() - cpu
            channel.close()
        finally:
            close(clients)
        if received != args.bytes:
            raise RuntimeError(f"received {received} of {args.bytes} bytes")
        results.append({"bytes": received - len(first), "seconds": seconds, "cpu": cpu_used})
    return results


class NullWriter:
    """A file object that keeps nothing: downloads are measured, not stored."""

    def write(self, data):
        return len(data)


def sftp(lab, args):
    # paramiko's open_sftp() on the last client of a fresh chain: getfo (with paramiko's prefetch) into nothing, then
    # put of a local file; each direction timed alone, connecting not included.
    results = []
    for _ in range(args.reps):
        clients = lab.chain(args.hops)
        try:
            client = clients[-1].open_sftp()
            start = time.perf_counter()
            received = client.getfo(args.remote, NullWriter())
            down = time.perf_counter() - start
            start = time.perf_counter()
            sent = client.put(args.local, args.remote + ".up").st_size
            up = time.perf_counter() - start
            client.remove(args.remote + ".up")
            client.close()
        finally:
            close(clients)
        if received != args.bytes or sent != args.bytes:
            raise RuntimeError(f"moved {received} down and {sent} up of {args.bytes} bytes")
        results.append({"bytes": args.bytes, "down": down, "up": up})
    return results


def connect(lab, args):
    close(lab.chain(args.hops))  # warm-up
    times = []
    for _ in range(args.reps):
        start = time.perf_counter()
        clients = lab.chain(args.hops)
        run(clients[-1], "true")
        times.append(time.perf_counter() - start)
        close(clients)
    return times


def rtt(lab, args):
    clients = lab.chain(args.hops)
    try:
        run(clients[-1], "true")
        times = []
        for _ in range(args.reps):
            start = time.perf_counter()
            run(clients[-1], "true")
            times.append(time.perf_counter() - start)
        return times
    finally:
        close(clients)


def memory(lab, args):
    clients, pss = [], []
    try:
        for name in CHAIN[:args.hops + 1]:
            sock = None
            if clients:
                server = lab.server(name)
                sock = clients[-1].get_transport().open_channel("direct-tcpip", (server["host"], server["port"]), ("127.0.0.1", 0))
            clients.append(lab.client(name, sock=sock))
            time.sleep(0.2)
            pss.append(pss_bytes())
        return pss
    finally:
        close(clients)


def fanout(lab, args):
    bastion = lab.server("bastion")
    user = next(iter(bastion["users"]))
    secrets = bastion["users"][user]
    mfa_logins = 0

    def handler(title, instructions, prompts):
        nonlocal mfa_logins
        answers = []
        for text, _ in prompts:
            if "verification" in text.lower():
                mfa_logins += 1
                answers.append(paramiko_totp(secrets["totpSecret"]))
            else:
                answers.append(secrets["password"])
        return answers

    start = time.perf_counter()
    transport = paramiko.Transport((bastion["address"], bastion["port"]))
    transport.start_client(timeout=30)
    known = paramiko.HostKeys(lab.doc["knownHosts"])
    if not known.check(bastion["host"], transport.get_remote_server_key()):
        raise RuntimeError("the bastion's host key is not the lab's")
    transport.auth_interactive(user, handler)
    target = lab.server(args.target)
    failures = []

    def one(index):
        try:
            channel = transport.open_channel("direct-tcpip", (target["host"], target["port"]), ("127.0.0.1", 0))
            client = lab.client(args.target, sock=channel)
            try:
                status = run(client, "true")
                if status != 0:
                    failures.append(f"{index}: exit {status}")
            finally:
                client.close()
        except Exception as error:  # every failure is counted, whatever its type
            failures.append(f"{index}: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(args.n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    transport.close()
    return {"seconds": seconds, "failures": len(failures), "mfaLogins": mfa_logins, "errors": failures[:5]}


def paramiko_totp(secret):
    import base64, hashlib, hmac, struct
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["bulk", "connect", "rtt", "memory", "fanout", "sftp"])
    parser.add_argument("--lab", required=True)
    parser.add_argument("--hops", type=int, default=1)
    parser.add_argument("--bytes", type=int, default=128 << 20)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--target", default="target-key")
    parser.add_argument("--remote", default="pjbench-sftp.bin")
    parser.add_argument("--local", default="")
    args = parser.parse_args()
    lab = Lab(args.lab)
    result = {"bulk": bulk, "connect": connect, "rtt": rtt, "memory": memory, "fanout": fanout, "sftp": sftp}[args.command](lab, args)
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
