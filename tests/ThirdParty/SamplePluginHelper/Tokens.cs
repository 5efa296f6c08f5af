namespace SamplePluginHelper;

public static class Tokens
{
    public static int Count(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
}
