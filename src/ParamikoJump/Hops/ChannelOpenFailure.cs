namespace ParamikoJump.Hops;

/// <summary>A channel the jump server refused, as it told us (RFC 4254 §5.1).</summary>
internal readonly record struct ChannelOpenFailure(uint ReasonCode, string Description)
{
    public string ReasonName => ReasonCode switch
    {
        1 => "administratively prohibited",
        2 => "connect failed",
        3 => "unknown channel type",
        4 => "resource shortage",
        _ => "reason " + ReasonCode,
    };

    public override string ToString() => string.IsNullOrEmpty(Description) ? ReasonName : $"{ReasonName}: {Description}";
}
