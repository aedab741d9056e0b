#!/usr/bin/env python3
"""slowloris.py -- slow HTTP clients for test_slowloris.sh (not a test).

  slowloris.py PORT attack N SECONDS SRC
      opens N connections from address SRC; each sends a request line and
      then one header line a second, never ending its head, for SECONDS;
      prints "opened=A refused=R closed=C" (connections accepted, refused
      or reset at once, closed by the server while trickling).
  slowloris.py PORT perip N SRC
      opens N idle connections from SRC, then sends GET /healthz on one
      more and prints the answer ("none" if closed).
  slowloris.py PORT deadline SECONDS SRC
      sends a request line, then a header line every 0.2 s, and prints
      how many seconds passed until the server closed the connection
      (SECONDS if it did not).
  slowloris.py PORT body SECONDS SRC TOKEN
      sends the head of a POST of 100000 bytes with the token, then one
      byte of body every 0.2 s; prints the seconds until it was closed
      (SECONDS if it was not).
"""
import resource
import select
import socket
import sys
import time


def connect(port, src):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    return s


def closed(s):
    """Whether the server has closed or reset s (without blocking)."""
    p = select.poll()
    p.register(s, select.POLLIN)
    if not p.poll(0):
        return False
    try:
        return s.recv(4096) == b""
    except OSError:
        return True


def attack(port, n, seconds, src):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 64)), hard))
    live, refused, gone = [], 0, 0
    for i in range(n):
        try:
            s = connect(port, src)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            live.append(s)
        except OSError:
            refused += 1
    time.sleep(0.3)
    opened = 0
    for s in list(live):
        if closed(s):
            live.remove(s)
            s.close()
            refused += 1
        else:
            opened += 1
    sys.stdout.write("attacking opened=%d refused=%d\n" % (opened, refused))
    sys.stdout.flush()
    end = time.monotonic() + seconds
    k = 0
    while time.monotonic() < end and live:
        time.sleep(1)
        k += 1
        for s in list(live):
            try:
                s.sendall(b"X-Slow-%d: 1\r\n" % k)
            except OSError:
                live.remove(s)
                s.close()
                gone += 1
                continue
            if closed(s):
                live.remove(s)
                s.close()
                gone += 1
    print("opened=%d refused=%d closed=%d" % (opened, refused, gone))
    for s in live:
        s.close()


def perip(port, n, src):
    idle = [connect(port, src) for _ in range(n)]
    time.sleep(0.2)
    s = connect(port, src)
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        data = s.recv(4096)
    except OSError:
        data = b""
    print(data.decode(errors="replace") if data else "none")
    for c in idle:
        c.close()
    s.close()


def trickle(port, seconds, src, head, piece):
    s = connect(port, src)
    t0 = time.monotonic()
    s.sendall(head)
    k = 0
    while time.monotonic() - t0 < seconds:
        time.sleep(0.2)
        k += 1
        try:
            s.sendall(piece(k))
        except OSError:
            break
        if closed(s):
            break
    print("%.1f" % min(time.monotonic() - t0, seconds))


def deadline(port, seconds, src):
    trickle(port, seconds, src, b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
            lambda k: b"X-Slow-%d: 1\r\n" % k)


def body(port, seconds, src, token):
    head = (b"POST /api/lectures HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
            token.encode() + b"\r\nContent-Length: 100000\r\n\r\n")
    trickle(port, seconds, src, head, lambda k: b" ")


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    if mode == "attack":
        attack(port, int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
    elif mode == "perip":
        perip(port, int(sys.argv[3]), sys.argv[4])
    elif mode == "deadline":
        deadline(port, float(sys.argv[3]), sys.argv[4])
    elif mode == "body":
        body(port, float(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
