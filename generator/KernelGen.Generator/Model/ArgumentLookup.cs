namespace KernelGen.Generator.Model;

internal static class ArgumentLookup
{
    public static LocationInfo? Find(EquatableArray<ArgumentLocation> arguments, string name)
    {
        foreach (ArgumentLocation argument in arguments)
        {
            if (argument.Name == name)
                return argument.Location;
        }
        return null;
    }
}
