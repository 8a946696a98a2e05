namespace Headroom.Analysis;

/// <summary>The four kinds of device time in the GPU time breakdown; the value is the class index of an <see cref="ClassedInterval"/>.</summary>
public enum ActivityClass
{
    /// <summary>Compute kernels.</summary>
    Computation = 0,
    /// <summary>Collective and point-to-point communication kernels.</summary>
    Communication = 1,
    /// <summary>Memory copies.</summary>
    Memcpy = 2,
    /// <summary>Memory sets.</summary>
    Memset = 3,
    /// <summary>Device time that is none of the above: only under HTA conventions, where syncs on a stream count as busy (type OTHER).</summary>
    Other = 4,
}
