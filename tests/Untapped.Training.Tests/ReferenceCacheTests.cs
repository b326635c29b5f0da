using Untapped.Kernels.Cpu;
using Untapped.Training.Data;
using Untapped.Training.Evaluation;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>
/// The reference classifier depends on the data alone: trained once per data set, then read from the cache.
/// </summary>
public sealed class ReferenceCacheTests
{
    [Fact]
    public void TrainedOnceThenLoadedBitwiseAndRetrainedWhenTheCacheIsCorrupt()
    {
        var cache = Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));
        var pool = Mnist.Load(TinyMnist.Folder(60, 20));
        using var cpu = new CpuBackend(1);
        var fresh = ReferenceClassifier.Train(cpu, pool);

        var first = ReferenceClassifier.TrainOrLoad(cpu, pool, cache);
        var file = Assert.Single(Directory.GetFiles(cache, "reference-*.safetensors"));
        Assert.Equal(fresh.Weights, first.Weights);
        var stamp = File.GetLastWriteTimeUtc(file);

        var second = ReferenceClassifier.TrainOrLoad(cpu, pool, cache);
        Assert.Equal(fresh.Weights, second.Weights);
        Assert.Equal(fresh.Accuracy, second.Accuracy);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(file)); // read, not written again

        File.WriteAllBytes(file, [1, 2, 3]);
        var third = ReferenceClassifier.TrainOrLoad(cpu, pool, cache);
        Assert.Equal(fresh.Weights, third.Weights);
        Assert.True(new FileInfo(file).Length > 1000, "the corrupt cache file was not replaced");

        // Other data, another file.
        ReferenceClassifier.TrainOrLoad(cpu, Mnist.Load(TinyMnist.Folder(50, 20)), cache);
        Assert.Equal(2, Directory.GetFiles(cache, "reference-*.safetensors").Length);
    }
}
