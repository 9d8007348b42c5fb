using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace KernelGen.Tests.Conformance;

/// <summary>
/// The few ONNX protobuf messages the conformance tests read, parsed by hand from the wire format (field numbers from
/// onnx.proto): ModelProto (graph = 7, opset_import = 8), GraphProto (node = 1, input = 11, output = 12),
/// NodeProto (input = 1, output = 2, op_type = 4, attribute = 5), AttributeProto (name = 1, i = 3, type = 20),
/// ValueInfoProto (name = 1), OperatorSetIdProto (domain = 1, version = 2) and TensorProto (dims = 1, data_type = 2,
/// float_data = 4, int32_data = 5, int64_data = 7, name = 8, raw_data = 9, data_location = 14).
/// </summary>
public static class OnnxProto
{
    public const int Float = 1, UInt8 = 2, Int8 = 3, Int32 = 6, Int64 = 7;

    public sealed record Tensor(string Name, int DataType, long[] Dims, byte[] RawData, float[] FloatData, int[] Int32Data, long[] Int64Data, bool External)
    {
        public long ElementCount
        {
            get
            {
                long n = 1;
                foreach (long d in Dims) n *= d;
                return n;
            }
        }

        public float[] Floats()
        {
            if (DataType != Float) throw new InvalidDataException($"{Name}: data_type {DataType} is not FLOAT");
            if (RawData.Length == 0) return FloatData;
            var values = new float[RawData.Length / 4];
            for (int i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(RawData.AsSpan(i * 4));
            return values;
        }

        /// <summary>uint8 / int8 values as ints (raw_data bytes, or int32_data as ONNX stores narrow types).</summary>
        public int[] EightBitValues()
        {
            if (DataType != UInt8 && DataType != Int8) throw new InvalidDataException($"{Name}: data_type {DataType} is not 8-bit");
            if (RawData.Length == 0) return Int32Data;
            var values = new int[RawData.Length];
            for (int i = 0; i < values.Length; i++)
                values[i] = DataType == Int8 ? (sbyte)RawData[i] : RawData[i];
            return values;
        }
    }

    public sealed record Attribute(string Name, int Type, long? Int, long[]? Ints = null);

    public sealed record Node(string OpType, string Domain, List<string> Inputs, List<string> Outputs, List<Attribute> Attributes);

    public sealed record Graph(List<Node> Nodes, List<string> Inputs, List<string> Outputs);

    public sealed record Model(Graph Graph, Dictionary<string, long> Opsets);

    // ---- wire format -----------------------------------------------------------------------------------------------

    public ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _position;

        public Reader(ReadOnlySpan<byte> data) { _data = data; _position = 0; }

        public bool End => _position >= _data.Length;

        public ulong Varint()
        {
            ulong result = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (_position >= _data.Length) throw new InvalidDataException("truncated varint");
                byte b = _data[_position++];
                result |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return result;
            }
            throw new InvalidDataException("varint longer than 10 bytes");
        }

        public (int Field, int WireType) Tag()
        {
            ulong tag = Varint();
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public ReadOnlySpan<byte> LengthDelimited()
        {
            ulong length = Varint();
            if (length > (ulong)(_data.Length - _position)) throw new InvalidDataException("length past the end of the message");
            ReadOnlySpan<byte> slice = _data.Slice(_position, (int)length);
            _position += (int)length;
            return slice;
        }

        public uint Fixed32()
        {
            if (_data.Length - _position < 4) throw new InvalidDataException("truncated fixed32");
            uint v = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(_position));
            _position += 4;
            return v;
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0: Varint(); break;
                case 1: if (_data.Length - _position < 8) throw new InvalidDataException("truncated fixed64"); _position += 8; break;
                case 2: LengthDelimited(); break;
                case 5: Fixed32(); break;
                default: throw new InvalidDataException($"unsupported wire type {wireType}");
            }
        }
    }

    private static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>Repeated int64: packed (wire type 2) or one varint per element (wire type 0).</summary>
    private static void ReadInt64s(ref Reader reader, int wireType, List<long> into)
    {
        if (wireType == 0) { into.Add((long)reader.Varint()); return; }
        var packed = new Reader(reader.LengthDelimited());
        while (!packed.End) into.Add((long)packed.Varint());
    }

    public static Tensor ReadTensor(ReadOnlySpan<byte> data)
    {
        var reader = new Reader(data);
        string name = "";
        int dataType = 0;
        var dims = new List<long>();
        byte[] raw = Array.Empty<byte>();
        var floats = new List<float>();
        var int32s = new List<int>();
        var int64s = new List<long>();
        bool external = false;
        while (!reader.End)
        {
            (int field, int wire) = reader.Tag();
            switch (field)
            {
                case 1: ReadInt64s(ref reader, wire, dims); break;
                case 2: dataType = (int)reader.Varint(); break;
                case 4:
                    if (wire == 5) floats.Add(BitConverter.UInt32BitsToSingle(reader.Fixed32()));
                    else
                    {
                        ReadOnlySpan<byte> packed = reader.LengthDelimited();
                        for (int i = 0; i + 4 <= packed.Length; i += 4)
                            floats.Add(BinaryPrimitives.ReadSingleLittleEndian(packed.Slice(i)));
                    }
                    break;
                case 5:
                {
                    var longs = new List<long>();
                    ReadInt64s(ref reader, wire, longs);
                    foreach (long v in longs) int32s.Add((int)v);   // int32 varints are sign-extended to 64 bits
                    break;
                }
                case 7: ReadInt64s(ref reader, wire, int64s); break;
                case 8: name = Utf8(reader.LengthDelimited()); break;
                case 9: raw = reader.LengthDelimited().ToArray(); break;
                case 13: external = true; reader.Skip(wire); break;
                case 14: external |= reader.Varint() == 1; break;
                default: reader.Skip(wire); break;
            }
        }
        return new Tensor(name, dataType, dims.ToArray(), raw, floats.ToArray(), int32s.ToArray(), int64s.ToArray(), external);
    }

    public static Tensor ReadTensorFile(string path) => ReadTensor(File.ReadAllBytes(path));

    private static Attribute ReadAttribute(ReadOnlySpan<byte> data)
    {
        var reader = new Reader(data);
        string name = "";
        int type = 0;
        long? value = null;
        var ints = new List<long>();
        while (!reader.End)
        {
            (int field, int wire) = reader.Tag();
            switch (field)
            {
                case 1: name = Utf8(reader.LengthDelimited()); break;
                case 3: value = (long)reader.Varint(); break;
                case 8: ReadInt64s(ref reader, wire, ints); break;
                case 20: type = (int)reader.Varint(); break;
                default: reader.Skip(wire); break;
            }
        }
        return new Attribute(name, type, value, ints.ToArray());
    }

    private static Node ReadNode(ReadOnlySpan<byte> data)
    {
        var reader = new Reader(data);
        string opType = "", domain = "";
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new List<Attribute>();
        while (!reader.End)
        {
            (int field, int wire) = reader.Tag();
            switch (field)
            {
                case 1: inputs.Add(Utf8(reader.LengthDelimited())); break;
                case 2: outputs.Add(Utf8(reader.LengthDelimited())); break;
                case 4: opType = Utf8(reader.LengthDelimited()); break;
                case 5: attributes.Add(ReadAttribute(reader.LengthDelimited())); break;
                case 7: domain = Utf8(reader.LengthDelimited()); break;
                default: reader.Skip(wire); break;
            }
        }
        return new Node(opType, domain, inputs, outputs, attributes);
    }

    private static string ReadValueInfoName(ReadOnlySpan<byte> data)
    {
        var reader = new Reader(data);
        string name = "";
        while (!reader.End)
        {
            (int field, int wire) = reader.Tag();
            if (field == 1) name = Utf8(reader.LengthDelimited());
            else reader.Skip(wire);
        }
        return name;
    }

    private static Graph ReadGraph(ReadOnlySpan<byte> data)
    {
        var reader = new Reader(data);
        var nodes = new List<Node>();
        var inputs = new List<string>();
        var outputs = new List<string>();
        while (!reader.End)
        {
            (int field, int wire) = reader.Tag();
            switch (field)
            {
                case 1: nodes.Add(ReadNode(reader.LengthDelimited())); break;
                case 11: inputs.Add(ReadValueInfoName(reader.LengthDelimited())); break;
                case 12: outputs.Add(ReadValueInfoName(reader.LengthDelimited())); break;
                default: reader.Skip(wire); break;
            }
        }
        return new Graph(nodes, inputs, outputs);
    }

    public static Model ReadModel(ReadOnlySpan<byte> data)
    {
        var reader = new Reader(data);
        Graph? graph = null;
        var opsets = new Dictionary<string, long>();
        while (!reader.End)
        {
            (int field, int wire) = reader.Tag();
            switch (field)
            {
                case 7: graph = ReadGraph(reader.LengthDelimited()); break;
                case 8:
                {
                    var opset = new Reader(reader.LengthDelimited());
                    string domain = "";
                    long version = 0;
                    while (!opset.End)
                    {
                        (int f, int w) = opset.Tag();
                        if (f == 1) domain = Utf8(opset.LengthDelimited());
                        else if (f == 2) version = (long)opset.Varint();
                        else opset.Skip(w);
                    }
                    opsets[domain] = version;
                    break;
                }
                default: reader.Skip(wire); break;
            }
        }
        return new Model(graph ?? throw new InvalidDataException("model has no graph"), opsets);
    }

    public static Model ReadModelFile(string path) => ReadModel(File.ReadAllBytes(path));
}
