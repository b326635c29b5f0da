namespace Untapped.Graph;

/// <summary>Adam hyper-parameters and clipping (docs/model.md §5); a non-positive clip disables it.</summary>
public sealed record AdamSettings(
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double Eps = 1e-4,
    float ClipNorm = 5f,
    float ClipValue = 1f
);
