using System;

namespace KernelGen.Testing;

/// <summary>
/// A snapshot check failed: a generated file differs from its verified snapshot or has none, or the generator reported
/// an error, threw, or generated nothing. The message says which, and how to accept an intended change. A plain
/// exception, so that every test framework reports it as a failure with its message.
/// </summary>
public sealed class KernelGenSnapshotException : Exception
{
    /// <summary>A failure described by <paramref name="message"/>.</summary>
    public KernelGenSnapshotException(string message)
        : base(message)
    {
    }

    /// <summary>A failure described by <paramref name="message"/>, caused by <paramref name="innerException"/>.</summary>
    public KernelGenSnapshotException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
