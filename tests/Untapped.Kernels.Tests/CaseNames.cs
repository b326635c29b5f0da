using Untapped.Checks;
using Xunit;

namespace Untapped.Kernels.Tests;

/// <summary>The shared case table's names as xunit theory data (the table itself lives in Untapped.Checks).</summary>
public static class CaseNames
{
    public static TheoryData<string> All()
    {
        var d = new TheoryData<string>();
        foreach (var c in OpCases.At(CaseSize.Test))
            d.Add(c.Name);
        return d;
    }
}
