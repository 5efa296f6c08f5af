namespace PeftQa.Plugins.Continual;

public sealed class NaiveOptions
{
}
