import { run } from '../support/api-client';
import { hostile, REPORT, reportOf } from './hostile';

// Every target is refused inside the container: it has no interface but lo, so
// nothing is ever sent off the machine. 192.0.2.1 is TEST-NET-1 (RFC 5737).
describe('adversarial: network', () => {
  hostile('has only a loopback interface', async () => {
    const result = await run('import socket\nprint(sorted(name for _, name in socket.if_nameindex()))');
    expect(result).toMatchObject({ status: 'succeeded', stdout: "['lo']\n" });
  });

  hostile('DNS resolves nothing', async () => {
    const result = await run(`${REPORT}
import socket
outcome = {}
for name in ["example.com", "redis", "host.docker.internal", "metadata.google.internal"]:
    try:
        outcome[name] = socket.getaddrinfo(name, 80)[0][4][0]
    except socket.gaierror as e:
        outcome[name] = "unresolved"
report(outcome)`);
    expect(reportOf(result)).toEqual({
      'example.com': 'unresolved',
      redis: 'unresolved',
      'host.docker.internal': 'unresolved',
      'metadata.google.internal': 'unresolved',
    });
  });

  hostile('TCP to a public address, the link-local metadata address and loopback fails locally', async () => {
    const result = await run(`${REPORT}
import errno, socket
outcome = {}
for host, port in [("192.0.2.1", 80), ("169.254.169.254", 80), ("127.0.0.1", 6379), ("127.0.0.1", 3000), ("::1", 6379), ("172.17.0.1", 2375)]:
    try:
        socket.create_connection((host, port), timeout=2).close()
        outcome[f"{host}:{port}"] = "connected"
    except OSError as e:
        outcome[f"{host}:{port}"] = errno.errorcode.get(e.errno, str(e))
report(outcome)`);
    expect(result.status).toBe('succeeded');
    const outcome = reportOf(result);
    // Unreachable from the container's empty routing table; its own loopback has no listener.
    expect(outcome).toEqual({
      '192.0.2.1:80': 'ENETUNREACH',
      '169.254.169.254:80': 'ENETUNREACH',
      '127.0.0.1:6379': 'ECONNREFUSED',
      '127.0.0.1:3000': 'ECONNREFUSED',
      '::1:6379': expect.stringMatching(/^(ECONNREFUSED|EADDRNOTAVAIL|ENETUNREACH)$/),
      '172.17.0.1:2375': 'ENETUNREACH',
    });
  });

  hostile('raw and packet sockets are refused', async () => {
    const result = await run(`${REPORT}
import errno, socket
outcome = {}
for name, args in [("raw icmp", (socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)),
                   ("raw tcp", (socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)),
                   ("packet", (socket.AF_PACKET, socket.SOCK_RAW, 0x0300))]:
    try:
        socket.socket(*args).close()
        outcome[name] = "opened"
    except OSError as e:
        outcome[name] = errno.errorcode[e.errno]
report(outcome)`);
    expect(reportOf(result)).toEqual({ 'raw icmp': 'EPERM', 'raw tcp': 'EPERM', packet: 'EPERM' });
  });

  hostile('no socket file exists anywhere, and the Docker socket paths lead nowhere', async () => {
    const result = await run(`${REPORT}
import errno, socket, stat
found = []
for root, dirs, files in os.walk("/"):
    if root.startswith(("/proc", "/sys")):
        dirs[:] = []
        continue
    for name in dirs + files:
        path = os.path.join(root, name)
        try:
            if stat.S_ISSOCK(os.lstat(path).st_mode) or name.endswith(".sock"):
                found.append(path)
        except OSError:
            pass
with open("/proc/net/unix") as f:
    bound = [line.split()[-1] for line in f.readlines()[1:] if len(line.split()) > 7]
connects = {}
for path in ["/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock", "/var/run/redis/redis.sock"]:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
        connects[path] = "connected"
    except OSError as e:
        connects[path] = errno.errorcode[e.errno]
    finally:
        s.close()
report({"found": found, "bound": bound, "connects": connects})`);
    expect(result.status).toBe('succeeded');
    expect(reportOf(result)).toEqual({
      found: [],
      bound: [],
      connects: {
        '/var/run/docker.sock': 'ENOENT',
        '/run/docker.sock': 'ENOENT',
        '/run/containerd/containerd.sock': 'ENOENT',
        '/var/run/redis/redis.sock': 'ENOENT',
      },
    });
  });
});
