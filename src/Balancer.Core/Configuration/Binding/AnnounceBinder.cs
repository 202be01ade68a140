namespace Balancer.Core.Configuration.Binding;

/// <summary>Binds the <c>announce</c> block.</summary>
internal static class AnnounceBinder
{
    /// <summary>Fields of the <c>announce</c> block.</summary>
    public static readonly string[] AnnounceFields = ["virtualIps", "interface", "track", "withdrawDelay", "interval", "rise", "fall", "addressLifetime"];

    private static readonly string[] _trackFields = ["pools"];

    /// <summary>Binds a present <c>announce</c> block; <c>virtualIps</c> is then required.</summary>
    public static AnnounceConfig BindAnnounce(ObjectReader reader)
    {
        var defaults = new AnnounceConfig();
        if (!reader.Has("virtualIps"))
        {
            reader.Report("virtualIps", "missing required field 'virtualIps', the addresses to announce");
        }

        return new AnnounceConfig
        {
            VirtualIps = reader.Strings("virtualIps") ?? defaults.VirtualIps,
            Interface = reader.String("interface") ?? defaults.Interface,
            Track = reader.Object("track", _trackFields) is { } track ? new AnnounceTrackConfig { Pools = track.Strings("pools") ?? [] } : defaults.Track,
            WithdrawDelay = reader.Duration("withdrawDelay") ?? defaults.WithdrawDelay,
            Interval = reader.Duration("interval") ?? defaults.Interval,
            Rise = reader.Int("rise") ?? defaults.Rise,
            Fall = reader.Int("fall") ?? defaults.Fall,
            AddressLifetime = reader.Duration("addressLifetime") ?? defaults.AddressLifetime,
        };
    }
}
