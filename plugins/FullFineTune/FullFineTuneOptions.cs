using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Plugins.FullFineTune;

public sealed class FullFineTuneOptions
{
    [Description("Keep the embedding layer (word, position, token type, LayerNorm) frozen.")]
    public bool FreezeEmbeddings { get; set; }

    [Description("Keep the lowest N encoder layers frozen (0 trains all).")]
    [Range(0, int.MaxValue)]
    public int FreezeLowestLayers { get; set; }
}
