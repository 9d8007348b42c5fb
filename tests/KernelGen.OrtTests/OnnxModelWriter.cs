using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace KernelGen.OrtTests;

/// <summary>
/// Writes a one-node ONNX model as bytes: the node's constant inputs as initializers, one graph input and one graph
/// output with fixed shapes. A hand-written protobuf encoder with the field numbers of onnx.proto (only the fields used
/// here), adapted from benchmarks/KernelGen.Benchmarks/OnnxModelWriter.cs, so the tests need no .onnx files and no Python.
/// </summary>
internal static class OnnxModelWriter
{
    // onnx.proto TensorProto.DataType
    public const int Float = 1, UInt8 = 2, Int8 = 3, Int32 = 6;

    /// <summary>An initializer: dims and little-endian raw bytes.</summary>
    public sealed record Tensor(string Name, int DataType, long[] Dims, byte[] Raw);

    /// <summary>A graph input or output.</summary>
    public sealed record Value(string Name, int DataType, long[] Dims);

    /// <summary>An INTS attribute (kernel_shape, pads, strides, dilations) or, with one value and <see cref="Scalar"/>, an INT one (group).</summary>
    public sealed record Attribute(string Name, long[] Values, bool Scalar = false);

    public static Tensor Floats(string name, long[] dims, params float[] values)
        => new(name, Float, dims, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public static Tensor Ints(string name, long[] dims, params int[] values)
        => new(name, Int32, dims, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>8-bit values (int8 or uint8, <paramref name="dataType"/>) as their raw bytes.</summary>
    public static Tensor EightBit(string name, int dataType, long[] dims, params int[] values)
    {
        var raw = new byte[values.Length];
        for (int i = 0; i < raw.Length; i++)
            raw[i] = unchecked((byte)values[i]);
        return new Tensor(name, dataType, dims, raw);
    }

    /// <summary>
    /// The model: one node of <paramref name="opType"/> (default domain) reading <paramref name="nodeInputs"/> in order
    /// (each the graph input's name or an initializer's) and writing the graph output.
    /// </summary>
    public static byte[] SingleNode(
        string opType, IReadOnlyList<string> nodeInputs, IReadOnlyList<Tensor> initializers, Value input, Value output,
        IReadOnlyList<Attribute>? attributes = null, int opset = 13)
    {
        var node = new Proto();
        foreach (string name in nodeInputs)
            node.String(1, name);                      // NodeProto.input
        node.String(2, output.Name);                   // NodeProto.output
        node.String(3, "node");                        // NodeProto.name
        node.String(4, opType);                        // NodeProto.op_type
        foreach (Attribute attribute in attributes ?? [])
        {
            var a = new Proto();
            a.String(1, attribute.Name);               // AttributeProto.name
            if (attribute.Scalar)
            {
                a.Int(3, attribute.Values[0]);         // AttributeProto.i
                a.Int(20, 2);                          // AttributeProto.type = INT
            }
            else
            {
                foreach (long v in attribute.Values)
                    a.Int(8, v);                       // AttributeProto.ints
                a.Int(20, 7);                          // AttributeProto.type = INTS
            }
            node.Message(5, a);                        // NodeProto.attribute
        }

        var graph = new Proto();
        graph.Message(1, node);                        // GraphProto.node
        graph.String(2, "KernelGen.OrtTests");         // GraphProto.name
        foreach (Tensor initializer in initializers)
            graph.Message(5, TensorProto(initializer)); // GraphProto.initializer
        graph.Message(11, ValueInfo(input));           // GraphProto.input
        graph.Message(12, ValueInfo(output));          // GraphProto.output

        var opsetId = new Proto();
        opsetId.String(1, "");                         // OperatorSetIdProto.domain (default)
        opsetId.Int(2, opset);                         // OperatorSetIdProto.version

        var model = new Proto();
        model.Int(1, 8);                               // ModelProto.ir_version
        model.String(2, "KernelGen.OrtTests");         // ModelProto.producer_name
        model.Message(8, opsetId);                     // ModelProto.opset_import
        model.Message(7, graph);                       // ModelProto.graph
        return model.ToArray();
    }

    private static Proto TensorProto(Tensor tensor)
    {
        var t = new Proto();
        foreach (long d in tensor.Dims)
            t.Int(1, d);                               // TensorProto.dims
        t.Int(2, tensor.DataType);                     // TensorProto.data_type
        t.String(8, tensor.Name);                      // TensorProto.name
        t.Bytes(9, tensor.Raw);                        // TensorProto.raw_data (little-endian)
        return t;
    }

    private static Proto ValueInfo(Value value)
    {
        var shape = new Proto();
        foreach (long d in value.Dims)
        {
            var dim = new Proto();
            dim.Int(1, d);                             // TensorShapeProto.Dimension.dim_value
            shape.Message(1, dim);                     // TensorShapeProto.dim
        }
        var tensorType = new Proto();
        tensorType.Int(1, value.DataType);             // TypeProto.Tensor.elem_type
        tensorType.Message(2, shape);                  // TypeProto.Tensor.shape
        var type = new Proto();
        type.Message(1, tensorType);                   // TypeProto.tensor_type
        var info = new Proto();
        info.String(1, value.Name);                    // ValueInfoProto.name
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
