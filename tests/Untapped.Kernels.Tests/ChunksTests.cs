using System.Collections.Concurrent;
using Untapped.Kernels.Cpu;
using Xunit;

namespace Untapped.Kernels.Tests;

/// <summary>
/// <see cref="CpuBackend.Chunks"/>: the chunks every CPU kernel's bits depend on, and how threads take them. Alone
/// (<see cref="AloneCollection"/>): the claiming test needs a second thread-pool thread while its first waits, which
/// other tests' long <c>Parallel.For</c> loops (the exhaustive maths checks) can hold back for longer than its timeout.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class ChunksTests
{
    [Theory]
    [InlineData(2, 1000, 7)]
    [InlineData(3, 1000, 7)]
    [InlineData(2, 5, 1)]
    [InlineData(2, 2, 1)]
    [InlineData(4, 3, 1)]
    [InlineData(2, 100_000, 32_768)]
    public void EveryChunkRunsOnceWithBoundsSetBySizeAlone(int threads, int count, int grain)
    {
        using var cpu = new CpuBackend(threads);
        var seen = new ConcurrentBag<(int, int)>();
        cpu.Chunks(count, grain, (s, e) => seen.Add((s, e)));
        var expected = Enumerable
            .Range(0, (count + grain - 1) / grain)
            .Select(c => (c * grain, Math.Min(count, (c + 1) * grain)));
        Assert.Equal(expected, seen.Order());
    }

    /// <summary>
    /// Each thread claims one chunk at a time: chunk i waits until chunk i + 1 has started, which only another thread
    /// can start. A scheduler that hands a thread chunks ahead of time (<c>Parallel.For</c> gives each thread a range
    /// of its own, taken in batches of up to 16) holds chunk i + 1 behind chunk i on the same thread, and the wait
    /// times out (it did, before CpuBackend.Chunks claimed one at a time).
    /// </summary>
    [Fact]
    public void ThreadsClaimOneChunkAtATime()
    {
        using var cpu = new CpuBackend(2);
        const int chunks = 64;
        var started = Enumerable.Range(0, chunks).Select(_ => new ManualResetEventSlim()).ToArray();
        int timedOut = -1;
        cpu.Chunks(chunks, 1, (s, _) =>
        {
            started[s].Set();
            // Once one wait has timed out the rest do not wait: the test fails in seconds, not minutes.
            if (s + 1 < chunks && Volatile.Read(ref timedOut) < 0 && !started[s + 1].Wait(TimeSpan.FromSeconds(30)))
                Interlocked.CompareExchange(ref timedOut, s, -1);
        });
        Assert.True(timedOut < 0, $"chunk {timedOut + 1} did not start while chunk {timedOut} waited for it");
    }
}

/// <summary>Test classes that run with no other test beside them (xunit runs this collection after the others).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}
