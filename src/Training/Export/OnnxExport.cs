using Google.Protobuf;
using Onnx;
using Untapped.Training.Data;
using Untapped.Training.Model;
using Untapped.Training.Storage;

namespace Untapped.Training.Export;

/// <summary>
/// A trained run's decoder and classifier as ONNX models (opset <see cref="Opset"/>, IR version <see
/// cref="IrVersion"/>), written through OnnxSharp's classes generated from ONNX's published onnx.proto
/// (Google.Protobuf), not by hand:
/// <list type="bullet">
/// <item>decoder.onnx: y [n,10], z [n,2] -> means [n,784] = sigmoid(p(x|y,z)'s logits);</item>
/// <item>classifier.onnx: x [n,784] -> logits [n,10] of q(y|x).</item>
/// </list>
/// Every dense layer h W + b is one Gemm (W stored [fan_in, fan_out], as in the checkpoint); n is a named dynamic
/// dimension.
/// </summary>
public static class OnnxExport
{
    public const int Opset = 17;
    public const long IrVersion = 8;
    public const string DecoderFile = "decoder.onnx",
        ClassifierFile = "classifier.onnx";

    /// <summary>
    /// Writes both models into <paramref name="folder"/> from a run's parameters (the flat layout of <see
    /// cref="Networks"/>).
    /// </summary>
    public static (string Decoder, string Classifier) Write(string folder, float[] parameters, string producerVersion)
    {
        var p = Split(parameters);
        Directory.CreateDirectory(folder);
        var decoder = Path.Combine(folder, DecoderFile);
        var classifier = Path.Combine(folder, ClassifierFile);
        AtomicFile.Write(decoder, Decoder(p, producerVersion).ToByteArray());
        AtomicFile.Write(classifier, Classifier(p, producerVersion).ToByteArray());
        return (decoder, classifier);
    }

    static Dictionary<string, (int Rows, int Cols, float[] Data)> Split(float[] parameters)
    {
        var d = new Dictionary<string, (int, int, float[])>();
        int offset = 0;
        foreach (var (name, rows, cols) in Networks.Layout)
        {
            d[name] = (rows, cols, parameters.AsSpan(offset, rows * cols).ToArray());
            offset += rows * cols;
        }
        if (offset != parameters.Length)
        {
            throw new ArgumentException(
                $"{parameters.Length} parameters, the networks hold {offset}",
                nameof(parameters)
            );
        }

        return d;
    }

    public static ModelProto Decoder(IReadOnlyDictionary<string, (int Rows, int Cols, float[] Data)> p, string version)
    {
        var g = new GraphProto
        {
            Name = "untapped_decoder",
            DocString = "p(x|y,z) of the Untapped / M2 VAE: Bernoulli pixel means of labels y and latents z",
        };
        g.Input.Add(Value("y", Mnist.Classes));
        g.Input.Add(Value("z", Networks.ZDim));
        g.Node.Add(
            Node(
                "Concat",
                ["y", "z"],
                ["yz"],
                new AttributeProto
                {
                    Name = "axis",
                    Type = AttributeProto.Types.AttributeType.Int,
                    I = 1,
                }
            )
        );
        var h = Dense(g, p, "decoder.l0", "yz", "Tanh");
        h = Dense(g, p, "decoder.l1", h, "Tanh");
        h = Dense(g, p, "decoder.out", h, "Sigmoid");
        g.Node.Add(Node("Identity", [h], ["means"]));
        g.Output.Add(Value("means", Mnist.Pixels));
        return Model(g, version);
    }

    public static ModelProto Classifier(
        IReadOnlyDictionary<string, (int Rows, int Cols, float[] Data)> p,
        string version
    )
    {
        var g = new GraphProto
        {
            Name = "untapped_classifier",
            DocString = "q(y|x) of the Untapped / M2 VAE: logits of the ten label dimensions of binarised 28x28 images",
        };
        g.Input.Add(Value("x", Mnist.Pixels));
        var h = Dense(g, p, "classifier.l0", "x", "Tanh");
        h = Dense(g, p, "classifier.l1", h, "Tanh");
        h = Dense(g, p, "classifier.out", h, null);
        g.Node.Add(Node("Identity", [h], ["logits"]));
        g.Output.Add(Value("logits", Mnist.Classes));
        return Model(g, version);
    }

    // x W + b as Gemm, then the activation (none, Tanh, Sigmoid); returns the output's name.
    static string Dense(
        GraphProto g,
        IReadOnlyDictionary<string, (int Rows, int Cols, float[] Data)> p,
        string layer,
        string input,
        string? activation
    )
    {
        var (rows, cols, w) = p[$"{layer}.w"];
        var b = p[$"{layer}.b"].Data;
        g.Initializer.Add(Tensor($"{layer}.w", [rows, cols], w));
        g.Initializer.Add(Tensor($"{layer}.b", [cols], b));
        string z = $"{layer}.z";
        g.Node.Add(Node("Gemm", [input, $"{layer}.w", $"{layer}.b"], [z]));
        if (activation is null)
            return z;
        string a = $"{layer}.{activation.ToLowerInvariant()}";
        g.Node.Add(Node(activation, [z], [a]));
        return a;
    }

    static ModelProto Model(GraphProto g, string version)
    {
        var m = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "untapped",
            ProducerVersion = version,
            Graph = g,
        };
        m.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return m;
    }

    static NodeProto Node(string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var n = new NodeProto { OpType = op, Name = $"{op}:{outputs[0]}" };
        n.Input.AddRange(inputs);
        n.Output.AddRange(outputs);
        n.Attribute.AddRange(attributes);
        return n;
    }

    // A float tensor [n, cols] with n dynamic.
    static ValueInfoProto Value(string name, int cols)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "n" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = cols });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor
                {
                    ElemType = (int)TensorProto.Types.DataType.Float,
                    Shape = shape,
                },
            },
        };
    }

    static TensorProto Tensor(string name, long[] dims, float[] data)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        var bytes = new byte[data.Length * sizeof(float)];
        Buffer.BlockCopy(data, 0, bytes, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("ONNX raw_data is little-endian");
        t.RawData = ByteString.CopyFrom(bytes);
        return t;
    }
}
