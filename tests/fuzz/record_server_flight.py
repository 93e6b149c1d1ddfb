#!/usr/bin/env python3
# Records a TLS server's first flight as a seed for fuzz_tls_server.
#
#   record_server_flight.py LISTEN_PORT SERVER_PORT OUT_FILE
#
# Relays one connection from 127.0.0.1:LISTEN_PORT to 127.0.0.1:SERVER_PORT and
# writes to OUT_FILE the bytes the server sent until the client's next flight
# (the first client bytes after the server began to answer). How the seeds in
# corpus/tls_server/ were made: a server such as
#   openssl s_server -tls1_2 -accept SERVER_PORT -cert leaf.pem -key leaf.key -cert_chain chain.pem [-Verify 1]
# and certtool's fetcher (crypto::fetch_all, e.g. `certtool audit --live` with
# --map-port 443:LISTEN_PORT) as the client, so the flight answers exactly the
# ClientHello certtool sends. TLS 1.3 encrypts the certificate: record TLS 1.2.
import select, socket, sys

listen_port, server_port, out_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
listener = socket.create_server(("127.0.0.1", listen_port))
client, _ = listener.accept()
server = socket.create_connection(("127.0.0.1", server_port))
flight, recording = b"", True
while True:
    ready, _, _ = select.select([client, server], [], [], 5)
    if not ready:
        break
    if server in ready:
        data = server.recv(65536)
        if not data:
            break
        flight += data if recording else b""
        client.sendall(data)
    if client in ready:
        data = client.recv(65536)
        if not data:
            break
        recording = recording and not flight  # the client's second flight ends the recording
        server.sendall(data)
open(out_file, "wb").write(flight)
print(f"{len(flight)} bytes of the server's first flight written to {out_file}")
