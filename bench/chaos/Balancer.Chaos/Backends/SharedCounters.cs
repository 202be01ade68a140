using System.IO.MemoryMappedFiles;

namespace Balancer.Chaos.Backends;

/// <summary>
/// A backend's counts in a memory-mapped file that the backend writes and the driver reads: the kernel keeps the
/// pages when the backend is killed with SIGKILL, and a restarted backend continues the same counts, so the driver
/// compares Balancer's figures with what really arrived, across crashes.
/// </summary>
internal sealed unsafe class SharedCounters : IDisposable
{
    /// <summary>Probes remembered, newest last (enough for any rise or fall the chaos configs use).</summary>
    public const int ProbeRing = 16;

    private const int Slots = 16 + ProbeRing;
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly long* _slots;

    private SharedCounters(string path)
    {
        using (var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            if (stream.Length < Slots * sizeof(long))
            {
                stream.SetLength(Slots * sizeof(long));
            }
        }

        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite);
        _view = _file.CreateViewAccessor(0, Slots * sizeof(long));
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _slots = (long*)pointer;
    }

    /// <summary>Slots of the file; the probe ring follows them.</summary>
    public enum Slot
    {
        /// <summary>Proxied requests (not probes, not control calls), counted on arrival.</summary>
        Requests = 0,
        Gets = 1,
        Posts = 2,
        Probes = 3,
        ProbesPassed = 4,
        /// <summary>POST bodies whose length or checksum did not match the headers the client sent.</summary>
        BodyMismatches = 5,
        /// <summary>Times a backend process started on this file.</summary>
        Starts = 6,
        /// <summary>Total probes ever written to the ring (the ring index is this modulo <see cref="ProbeRing"/>).</summary>
        ProbeSequence = 7,
    }

    /// <summary>Opens (creating) the counts file at <paramref name="path"/>.</summary>
    public static SharedCounters Open(string path) => new(path);

    public long Read(Slot slot) => Volatile.Read(ref _slots[(int)slot]);

    public void Increment(Slot slot) => Interlocked.Increment(ref _slots[(int)slot]);

    /// <summary>Records a probe: unix milliseconds, negative when the backend answered it with a failure. One writer at a time.</summary>
    public void RecordProbe(long unixMs, bool passed)
    {
        var sequence = Read(Slot.ProbeSequence);
        Volatile.Write(ref _slots[16 + (int)(sequence % ProbeRing)], passed ? unixMs : -unixMs);
        Volatile.Write(ref _slots[(int)Slot.ProbeSequence], sequence + 1);
        Increment(Slot.Probes);
        if (passed)
        {
            Increment(Slot.ProbesPassed);
        }
    }

    /// <summary>The remembered probes, oldest first: (unix ms, passed).</summary>
    public IReadOnlyList<(long UnixMs, bool Passed)> Probes()
    {
        var sequence = Read(Slot.ProbeSequence);
        var count = (int)Math.Min(sequence, ProbeRing);
        var probes = new List<(long, bool)>(count);
        for (var i = sequence - count; i < sequence; i++)
        {
            var value = Volatile.Read(ref _slots[16 + (int)(i % ProbeRing)]);
            probes.Add((Math.Abs(value), value > 0));
        }

        return probes;
    }

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
