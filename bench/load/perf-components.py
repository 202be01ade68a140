#!/usr/bin/env python3
"""Sums `perf script -F comm,ip,sym,dso` call-graph samples of a .NET process by component.

    perf-components.py PERF_SCRIPT_OUTPUT

"self" counts a sample for the component of its innermost frame (where the CPU was); "inclusive"
for every component anywhere on its stack (so a caller's share includes its callees). Thread names
show the split between thread-pool workers, the socket engine and background JIT.
"""
import collections
import sys

# First match wins: more specific names before the namespaces that contain them.
COMPONENTS = [
    ("[kernel", "kernel"),
    ("Balancer.", "Balancer"),
    ("Yarp.", "YARP"),
    ("System.Net.Http.", "System.Net.Http"),
    ("System.Net.Security", "System.Net.Security (SslStream)"),
    ("libssl", "OpenSSL (libssl, libcrypto)"),
    ("libcrypto", "OpenSSL (libssl, libcrypto)"),
    ("Kestrel", "Kestrel"),
    ("System.Net.Sockets", "System.Net.Sockets"),
    ("System.IO.Pipelines", "System.IO.Pipelines"),
    ("Microsoft.AspNetCore.Routing", "ASP.NET Core routing"),
    ("Microsoft.AspNetCore", "ASP.NET Core other"),
    ("System.Threading", "System.Threading"),
    ("System.Runtime.CompilerServices", "async machinery, casts, stubs"),
    ("libcoreclr", "runtime (GC, allocation, stubs)"),
    ("libclrjit", "JIT"),
    ("libc.so", "libc"),
    ("OpenTelemetry", "OpenTelemetry"),
    ("System.Private.CoreLib", "CoreLib other"),
    ("System.", "System other"),
]


def component(frame):
    for key, name in COMPONENTS:
        if key in frame:
            return name
    return "other"


def read_samples(path):
    samples, stack, thread = [], [], None
    with open(path, errors="replace") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if not line.strip():
                if stack:
                    samples.append((thread, stack))
                stack = []
                continue
            if not line[0].isspace():
                thread, stack = line.strip(), []
                continue
            parts = line.strip().split(" ", 1)
            stack.append(parts[1] if len(parts) > 1 else "")
    if stack:
        samples.append((thread, stack))
    return samples


def table(title, counter, total):
    print(f"\n{title}")
    for name, count in counter.most_common():
        print(f"  {100 * count / total:5.1f} %  {name}")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    samples = read_samples(sys.argv[1])
    if not samples:
        sys.exit("no samples in " + sys.argv[1])
    total = len(samples)
    print(f"{total} samples")
    table("self (innermost frame)", collections.Counter(component(stack[0]) for _, stack in samples), total)
    inclusive = collections.Counter()
    for _, stack in samples:
        inclusive.update({component(frame) for frame in stack})
    table("inclusive (anywhere on the stack)", inclusive, total)
    table("threads", collections.Counter(thread for thread, _ in samples), total)


if __name__ == "__main__":
    main()
