import { run } from '../support/api-client';
import { hostile } from './hostile';

const pathsOf = (result: { files: { path: string }[] }): string[] => result.files.map((f) => f.path).sort();
const contentOf = (result: { files: { path: string; content: string }[] }, path: string): string =>
  Buffer.from(result.files.find((f) => f.path === path)!.content, 'base64').toString('utf8');

describe('adversarial: output collection', () => {
  hostile('symlinks to host files and directories are never followed', async () => {
    const result = await run(`
import os
os.symlink("/etc/passwd", "passwd")
os.symlink("/etc", "etc")
os.symlink("/proc/self/environ", "environ")
os.symlink("/", "root")
os.symlink("/var/run/docker.sock", "docker.sock")
os.symlink("../../../../../../etc/shadow", "climb")
os.makedirs("d")
os.symlink("/etc/hostname", "d/hostname")
os.symlink("d", "loop")
open("real.txt", "w").write("mine")`);
    expect(result.status).toBe('succeeded');
    expect(pathsOf(result)).toEqual(['real.txt']);
    expect(contentOf(result, 'real.txt')).toBe('mine');
  });

  hostile('a file replaced by a symlink at the last moment is not followed either', async () => {
    // A background process keeps swapping a file and a symlink while the runner collects.
    const result = await run(`
import os, time
open("swap", "w").write("plain")
if os.fork() == 0:
    os.setsid()
    while True:
        try:
            os.replace("swap", "swap.tmp"); os.symlink("/etc/passwd", "swap")
            os.remove("swap"); os.replace("swap.tmp", "swap")
        except OSError:
            pass
time.sleep(0.2)`);
    expect(result.status).toBe('succeeded');
    for (const file of result.files) expect(Buffer.from(file.content, 'base64').toString()).not.toContain('root:');
  });

  hostile('hard links to files outside the working directory cannot be made', async () => {
    const result = await run(
      'import os\ntry:\n    os.link("/etc/passwd", "passwd")\nexcept OSError as e:\n    print(e.errno, e.strerror)',
    );
    expect(result).toMatchObject({ status: 'succeeded', stdout: '18 Invalid cross-device link\n', files: [] });
  });

  hostile('entries that are not regular files are skipped: pipes, sockets, devices, directories', async () => {
    const result = await run(`
import os, socket
os.mkfifo("fifo")
s = socket.socket(socket.AF_UNIX)
s.bind("sock")
try:
    os.mknod("dev", 0o600 | 0o020000, os.makedev(1, 3))
except OSError as e:
    print("mknod", e.errno)
os.makedirs("empty/dir")
open("plain", "w").write("p")`);
    expect(result.status).toBe('succeeded');
    expect(result.stdout).toBe('mknod 1\n');
    expect(pathsOf(result)).toEqual(['plain']);
  });

  hostile('huge files, sparse ones included, are left out and reported', async () => {
    const result = await run(`
with open("sparse", "wb") as f:
    f.truncate(10 ** 12)
with open("big", "wb") as f:
    f.write(b"x" * (9 * 1024 * 1024))
open("small", "w").write("s")`);
    expect(result.status).toBe('succeeded');
    expect(pathsOf(result)).toEqual(['small']);
    expect(result.filesTruncated).toBe(true);
  });

  hostile('more files than the cap: exactly the cap comes back, and truncation is reported', async () => {
    const result = await run('for i in range(150):\n    open(f"f{i:03}", "w").write(str(i))');
    expect(result.status).toBe('succeeded');
    expect(result.files).toHaveLength(100);
    expect(result.filesTruncated).toBe(true);
  });

  hostile('names that are strange in every way come back only when they are safe and valid', async () => {
    const result = await run(`
import os
names = [b"plain.txt", b"with space", b"-rf", b"--help", "ünï©ødé".encode(), "\\u202egnp.exe".encode(), b"emoji-\\xf0\\x9f\\x98\\x80",
         b"new\\nline", b"tab\\there", b"bell\\x07", b"esc\\x1b[31m", b"back\\\\slash", b"invalid-\\xff\\xfe", b"x" * 255,
         b".hidden", b"...", b"*", b"$(reboot)", b"a:b", b"CON", b"nul.txt"]
for name in names:
    with open(name, "wb") as f:
        f.write(b"1")
os.makedirs("/".join(["d"] * 40))
open("/".join(["d"] * 40) + "/deep", "w").write("deep")`);
    expect(result.status).toBe('succeeded');
    expect(pathsOf(result)).toEqual(
      [
        'plain.txt',
        'with space',
        '-rf',
        '--help',
        'ünï©ødé',
        '\u202egnp.exe',
        'emoji-😀',
        'x'.repeat(255),
        '.hidden',
        '...',
        '*',
        '$(reboot)',
        'a:b',
        'CON',
        'nul.txt',
      ].sort(),
    );
    // Control characters, a backslash, bytes that are not UTF-8, and the 40-deep file were left out.
    expect(result.filesTruncated).toBe(true);
  });

  hostile('an input file is returned only when the program changed it', async () => {
    const result = await run('open("changed.txt", "a").write("+")', {
      files: [
        { path: 'same.txt', content: 'same' },
        { path: 'changed.txt', content: 'before' },
      ],
    });
    expect(pathsOf(result)).toEqual(['changed.txt']);
    expect(contentOf(result, 'changed.txt')).toBe('before+');
  });
});
