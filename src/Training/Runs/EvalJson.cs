using System.Text.Json;
using Untapped.Training.Evaluation;

namespace Untapped.Training.Runs;

/// <summary>
/// eval.json, the run's held-out evaluation, written last: the one record its writer (the run's reports) and its
/// readers (the sweep report, the completeness rule of a sweep) share. Keys are the properties in snake case.
/// </summary>
public sealed record EvalJson(
    string Model,
    double CeHeldout,
    double AccHeldout,
    double AccLabelled,
    int DistinctDigits,
    int[] Permutation,
    double ReferenceClassifierAcc,
    float[] Zbar,
    double? CeHeldoutBest = null,
    double? AccHeldoutBest = null,
    int[]? PermutationBest = null
)
{
    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        // The assignment-free score's keys exist from issue 44 on: an eval.json written before reads and writes back
        // without them, byte for byte.
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static EvalJson Of(string model, EvalResult r) =>
        new(
            model,
            r.CeHeldout,
            r.AccHeldout,
            r.AccLabelled,
            r.DistinctDigits,
            r.Permutation,
            r.ReferenceClassifierAcc,
            r.ZBar,
            r.Best.Ce,
            r.Best.Accuracy,
            r.Best.Permutation
        );

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// The record in <paramref name="file"/>; a <see cref="Data.DataFormatException"/> naming the file when it is not
    /// one.
    /// </summary>
    public static EvalJson Read(string file)
    {
        try
        {
            return JsonSerializer.Deserialize<EvalJson>(File.ReadAllText(file), Json)
                ?? throw new JsonException("empty");
        }
        catch (JsonException ex)
        {
            throw new Data.DataFormatException($"{file}: not a valid eval.json: {ex.Message}");
        }
    }
}
