using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using KernelGen;

namespace KernelGen.Benchmarks;

/// <summary>
/// Writes a KernelGen model as ONNX bytes: one QLinearMatMul per Dense layer, one QLinearConv for a convolution
/// model, or the digits CNN's QLinearConv / MaxPool / QLinearConv / Flatten / QLinearMatMul chain, weights as initializers. A hand-written protobuf encoder with the field numbers of onnx.proto (only the
/// fields used here), so the benchmarks need no .onnx files in the repository and no Python.
/// </summary>
internal static class OnnxModelWriter
{
    // onnx.proto TensorProto.DataType
    private const int Float = 1, UInt8 = 2, Int8 = 3;

    public const string InputName = "x";
    public const string OutputName = "y";

    /// <summary>
    /// The ONNX model for <paramref name="model"/> with a fixed batch of <paramref name="rows"/> (fixed shapes let ONNX
    /// Runtime plan everything at load time). b_scale is per column ([N]) and b_zero_point has its shape, all 0, as the
    /// ONNX spec asks (a scalar 0 measured the same).
    /// </summary>
    public static byte[] Write(ModelInfo model, int rows)
    {
        var graph = new Proto();
        var initializers = new List<Proto>();
        string current = InputName;
        for (int i = 0; i < model.Layers.Count; i++)
        {
            LayerInfo layer = model.Layers[i];
            string p = $"l{i}_";
            string output = i == model.Layers.Count - 1 ? OutputName : $"h{i}";

            // ONNX B is [K, N] (y = a @ b); KernelGen's weights are [N, K].
            var b = new byte[layer.Inputs * layer.Outputs];
            for (int n = 0; n < layer.Outputs; n++)
                for (int k = 0; k < layer.Inputs; k++)
                    b[k * layer.Outputs + n] = (byte)layer.Weights[n * layer.Inputs + k];

            if (i == 0)
            {
                initializers.Add(Tensor(p + "a_scale", Float, [], Floats(layer.InputScale)));
                initializers.Add(Tensor(p + "a_zero_point", UInt8, [], [(byte)layer.InputZeroPoint]));
            }
            initializers.Add(Tensor(p + "b", Int8, [layer.Inputs, layer.Outputs], b));
            initializers.Add(Tensor(p + "b_scale", Float, [layer.Outputs], Floats(layer.WeightScales)));
            initializers.Add(Tensor(p + "b_zero_point", Int8, [layer.Outputs], new byte[layer.Outputs]));
            initializers.Add(Tensor(p + "y_scale", Float, [], Floats(layer.OutputScale)));
            initializers.Add(Tensor(p + "y_zero_point", UInt8, [], [(byte)layer.OutputZeroPoint]));

            // A layer's output scale and zero point are the next layer's input ones: reuse the initializers.
            string aScale = i == 0 ? p + "a_scale" : $"l{i - 1}_y_scale";
            string aZero = i == 0 ? p + "a_zero_point" : $"l{i - 1}_y_zero_point";

            // ReLU needs no node: the benchmark models give ReLU layers output zero point 0, where QLinearMatMul's
            // saturation to [0, 255] is the ReLU. Anything else would need a different graph.
            if (layer.Activation != Activation.None && layer.OutputZeroPoint != 0)
                throw new NotSupportedException("ReLU layers must have output zero point 0 to map to a bare QLinearMatMul.");

            var node = new Proto();
            foreach (string input in new[] { current, aScale, aZero, p + "b", p + "b_scale", p + "b_zero_point", p + "y_scale", p + "y_zero_point" })
                node.String(1, input);                 // NodeProto.input
            node.String(2, output);                    // NodeProto.output
            node.String(3, $"layer{i}");               // NodeProto.name
            node.String(4, "QLinearMatMul");           // NodeProto.op_type
            graph.Message(1, node);                    // GraphProto.node
            current = output;
        }

        graph.String(2, model.Type.Name);              // GraphProto.name
        foreach (Proto initializer in initializers)
            graph.Message(5, initializer);             // GraphProto.initializer
        graph.Message(11, ValueInfo(InputName, UInt8, [rows, model.InputSize]));   // GraphProto.input
        graph.Message(12, ValueInfo(OutputName, UInt8, [rows, model.OutputSize])); // GraphProto.output

        return ModelBytes(graph);
    }

    /// <summary>
    /// The ONNX model for a one-layer convolution model: one QLinearConv node, NCHW input [batch, C, H, W] and output
    /// [batch, O, OH, OW], weights OIHW [O, C / group, kH, kW] int8 with a per-channel w_scale [O] and a w_zero_point [O]
    /// of zeros, explicit pads (ONNX order {top, left, bottom, right}, the declaration's), group = C for depthwise, no
    /// bias. ReLU is QLinearConv's own saturation at y_zero_point 0 (ConvModelInfo checks that).
    /// With <paramref name="channelsLast"/> the node is ONNX Runtime's own com.microsoft QLinearConv with
    /// channels_last = 1 instead, on NHWC input [batch, H, W, C] and output [batch, OH, OW, O] (same weights and
    /// attributes): the kernel ORT_ENABLE_ALL rewrites the standard node into, without the two Transposes around it.
    /// </summary>
    public static byte[] WriteConv(ConvModelInfo model, int batch, bool channelsLast = false)
    {
        var initializers = new List<Proto>
        {
            Tensor("x_scale", Float, [], Floats(model.InputScale)),
            Tensor("x_zero_point", UInt8, [], [(byte)model.InputZeroPoint]),
            Tensor("w", Int8, [model.OutputChannels, model.Channels / model.Groups, model.KernelHeight, model.KernelWidth],
                MemoryMarshal.AsBytes(model.OnnxWeights.AsSpan()).ToArray()),
            Tensor("w_scale", Float, [model.OutputChannels], Floats(model.WeightScales)),
            Tensor("w_zero_point", Int8, [model.OutputChannels], new byte[model.OutputChannels]),
            Tensor("y_scale", Float, [], Floats(model.OutputScale)),
            Tensor("y_zero_point", UInt8, [], [(byte)model.OutputZeroPoint]),
        };

        var node = new Proto();
        foreach (string input in new[] { InputName, "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point", "y_scale", "y_zero_point" })
            node.String(1, input);                     // NodeProto.input
        node.String(2, OutputName);                    // NodeProto.output
        node.String(3, "conv");                        // NodeProto.name
        node.String(4, "QLinearConv");                 // NodeProto.op_type
        node.Message(5, Ints("kernel_shape", model.KernelHeight, model.KernelWidth)); // NodeProto.attribute
        node.Message(5, Ints("strides", model.Strides));
        node.Message(5, Ints("dilations", model.Dilations));
        node.Message(5, Ints("pads", model.Pads));
        node.Message(5, Int("group", model.Groups));
        if (channelsLast)
        {
            node.Message(5, Int("channels_last", 1));
            node.String(7, "com.microsoft");           // NodeProto.domain
        }

        var graph = new Proto();
        graph.Message(1, node);                        // GraphProto.node
        graph.String(2, model.Type.Name);              // GraphProto.name
        foreach (Proto initializer in initializers)
            graph.Message(5, initializer);             // GraphProto.initializer
        long[] inputShape = channelsLast ? [batch, model.Height, model.Width, model.Channels] : [batch, model.Channels, model.Height, model.Width];
        long[] outputShape = channelsLast
            ? [batch, model.OutputHeight, model.OutputWidth, model.OutputChannels]
            : [batch, model.OutputChannels, model.OutputHeight, model.OutputWidth];
        graph.Message(11, ValueInfo(InputName, UInt8, inputShape));   // GraphProto.input
        graph.Message(12, ValueInfo(OutputName, UInt8, outputShape)); // GraphProto.output
        return ModelBytes(graph, channelsLast);
    }

    /// <summary>
    /// The ONNX model for a CNN of the digits sample's topology (<see cref="CnnModelInfo"/>), as standard ONNX nodes on
    /// NCHW tensors: QLinearConv -> MaxPool -> QLinearConv -> Flatten -> QLinearMatMul. Input [batch, C, H, W] uint8,
    /// output [batch, N] uint8. The max pool keeps its input's scale and zero point (as in KernelGen), so the second
    /// QLinearConv reads the first one's. ONNX flattens NCHW in (c, h, w) order where the declaration flattens NHWC in
    /// (h, w, c) order, so B's rows are permuted to match instead of adding a Transpose node.
    /// </summary>
    public static byte[] WriteCnn(CnnModelInfo model, int batch)
    {
        var initializers = new List<Proto>
        {
            Tensor("x_scale", Float, [], Floats(model.InputScale)),
            Tensor("x_zero_point", UInt8, [], [(byte)model.InputZeroPoint]),
        };
        var graph = new Proto();
        string current = InputName;
        string scale = "x_scale", zero = "x_zero_point";
        foreach ((string p, CnnConv conv) in new[] { ("conv1_", model.Conv1), ("conv2_", model.Conv2) })
        {
            initializers.Add(Tensor(p + "w", Int8, [conv.OutputChannels, conv.InputChannels, conv.KernelHeight, conv.KernelWidth],
                MemoryMarshal.AsBytes(conv.OnnxWeights.AsSpan()).ToArray()));
            initializers.Add(Tensor(p + "w_scale", Float, [conv.OutputChannels], Floats(conv.WeightScales)));
            initializers.Add(Tensor(p + "w_zero_point", Int8, [conv.OutputChannels], new byte[conv.OutputChannels]));
            initializers.Add(Tensor(p + "y_scale", Float, [], Floats(conv.OutputScale)));
            initializers.Add(Tensor(p + "y_zero_point", UInt8, [], [(byte)conv.OutputZeroPoint]));

            var node = new Proto();
            foreach (string input in new[] { current, scale, zero, p + "w", p + "w_scale", p + "w_zero_point", p + "y_scale", p + "y_zero_point" })
                node.String(1, input);                 // NodeProto.input
            node.String(2, p + "y");                   // NodeProto.output
            node.String(3, p + "node");                // NodeProto.name
            node.String(4, "QLinearConv");             // NodeProto.op_type
            node.Message(5, Ints("kernel_shape", conv.KernelHeight, conv.KernelWidth));
            node.Message(5, Ints("strides", conv.Strides));
            node.Message(5, Ints("dilations", conv.Dilations));
            node.Message(5, Ints("pads", conv.Pads));
            node.Message(5, Int("group", 1));
            graph.Message(1, node);                    // GraphProto.node
            (current, scale, zero) = (p + "y", p + "y_scale", p + "y_zero_point");

            if (conv == model.Conv1)
            {
                var pool = new Proto();
                pool.String(1, current);
                pool.String(2, "pool_y");
                pool.String(3, "pool");
                pool.String(4, "MaxPool");
                pool.Message(5, Ints("kernel_shape", model.PoolHeight, model.PoolWidth));
                pool.Message(5, Ints("strides", model.PoolStrides));
                graph.Message(1, pool);
                current = "pool_y";
            }
        }

        var flatten = new Proto();
        flatten.String(1, current);
        flatten.String(2, "flat_y");
        flatten.String(3, "flat");
        flatten.String(4, "Flatten");
        flatten.Message(5, Int("axis", 1));
        graph.Message(1, flatten);

        LayerInfo fc = model.Fc;
        initializers.Add(Tensor("fc_b", Int8, [fc.Inputs, fc.Outputs], MemoryMarshal.AsBytes(model.OnnxFcWeights.AsSpan()).ToArray()));
        initializers.Add(Tensor("fc_b_scale", Float, [fc.Outputs], Floats(fc.WeightScales)));
        initializers.Add(Tensor("fc_b_zero_point", Int8, [fc.Outputs], new byte[fc.Outputs]));
        initializers.Add(Tensor("fc_y_scale", Float, [], Floats(fc.OutputScale)));
        initializers.Add(Tensor("fc_y_zero_point", UInt8, [], [(byte)fc.OutputZeroPoint]));
        var matmul = new Proto();
        foreach (string input in new[] { "flat_y", scale, zero, "fc_b", "fc_b_scale", "fc_b_zero_point", "fc_y_scale", "fc_y_zero_point" })
            matmul.String(1, input);
        matmul.String(2, OutputName);
        matmul.String(3, "fc");
        matmul.String(4, "QLinearMatMul");
        graph.Message(1, matmul);

        graph.String(2, model.Type.Name);              // GraphProto.name
        foreach (Proto initializer in initializers)
            graph.Message(5, initializer);             // GraphProto.initializer
        graph.Message(11, ValueInfo(InputName, UInt8, [batch, model.Channels, model.Height, model.Width]));
        graph.Message(12, ValueInfo(OutputName, UInt8, [batch, model.OutputSize]));
        return ModelBytes(graph);
    }

    private static byte[] ModelBytes(Proto graph, bool microsoftDomain = false)
    {
        var opset = new Proto();
        opset.String(1, "");                           // OperatorSetIdProto.domain (default)
        opset.Int(2, 13);                              // OperatorSetIdProto.version

        var m = new Proto();
        m.Int(1, 8);                                   // ModelProto.ir_version
        m.String(2, "KernelGen.Benchmarks");           // ModelProto.producer_name
        m.Message(8, opset);                           // ModelProto.opset_import
        if (microsoftDomain)
        {
            var contrib = new Proto();
            contrib.String(1, "com.microsoft");
            contrib.Int(2, 1);
            m.Message(8, contrib);
        }
        m.Message(7, graph);                           // ModelProto.graph
        return m.ToArray();
    }

    // onnx.proto AttributeProto.AttributeType
    private const int AttributeInt = 2, AttributeInts = 7;

    private static Proto Int(string name, long value)
    {
        var a = new Proto();
        a.String(1, name);                             // AttributeProto.name
        a.Int(3, value);                               // AttributeProto.i
        a.Int(20, AttributeInt);                       // AttributeProto.type
        return a;
    }

    private static Proto Ints(string name, params int[] values)
    {
        var a = new Proto();
        a.String(1, name);                             // AttributeProto.name
        foreach (int v in values)
            a.Int(8, v);                               // AttributeProto.ints (unpacked, as onnx writes them)
        a.Int(20, AttributeInts);                      // AttributeProto.type
        return a;
    }

    private static byte[] Floats(params float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static Proto Tensor(string name, int dataType, long[] dims, byte[] raw)
    {
        var t = new Proto();
        foreach (long d in dims)
            t.Int(1, d);                               // TensorProto.dims
        t.Int(2, dataType);                            // TensorProto.data_type
        t.String(8, name);                             // TensorProto.name
        t.Bytes(9, raw);                               // TensorProto.raw_data (little-endian)
        return t;
    }

    private static Proto ValueInfo(string name, int elementType, long[] dims)
    {
        var shape = new Proto();
        foreach (long d in dims)
        {
            var dim = new Proto();
            dim.Int(1, d);                             // TensorShapeProto.Dimension.dim_value
            shape.Message(1, dim);                     // TensorShapeProto.dim
        }
        var tensorType = new Proto();
        tensorType.Int(1, elementType);                // TypeProto.Tensor.elem_type
        tensorType.Message(2, shape);                  // TypeProto.Tensor.shape
        var type = new Proto();
        type.Message(1, tensorType);                   // TypeProto.tensor_type
        var info = new Proto();
        info.String(1, name);                          // ValueInfoProto.name
        info.Message(2, type);                         // ValueInfoProto.type
        return info;
    }

    /// <summary>The protobuf wire format, as much as ONNX needs: varints (wire type 0) and length-delimited (2).</summary>
    private sealed class Proto
    {
        private readonly MemoryStream _bytes = new();

        public void Int(int field, long value)
        {
            Varint((ulong)(field << 3));
            Varint((ulong)value); // negative values take 10 bytes, as protobuf encodes int64
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Bytes(int field, ReadOnlySpan<byte> value)
        {
            Varint((ulong)((field << 3) | 2));
            Varint((ulong)value.Length);
            _bytes.Write(value);
        }

        public void Message(int field, Proto message) => Bytes(field, message.ToArray());

        public byte[] ToArray() => _bytes.ToArray();

        private void Varint(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _bytes.WriteByte((byte)value);
        }
    }
}
