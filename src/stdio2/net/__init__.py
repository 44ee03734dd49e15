"""Networking: IP and socket addresses, `TcpStream`, `TcpListener`, `UdpSocket`, all honouring `Deadline` scopes."""
