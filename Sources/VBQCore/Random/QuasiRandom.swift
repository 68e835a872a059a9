import Foundation
internal import CGSL
internal import CGSLShims

/// Low-discrepancy points and circular convolution, behind Swift names (GSL's Sobol generator
/// and its radix-2 real FFT).
public enum QuasiRandom {
    /// The first `count` points of GSL's `dims`-dimensional Sobol sequence (dims ≤ 40), row-major.
    public static func sobol(dims: Int, count: Int) -> [Double] {
        precondition(dims >= 1 && dims <= 40 && count >= 1)
        let q = gsl_qrng_alloc(vbq_qrng_sobol(), UInt32(dims))!
        defer { gsl_qrng_free(q) }
        var out = [Double](repeating: 0, count: dims * count)
        out.withUnsafeMutableBufferPointer { b in
            for i in 0..<count { gsl_qrng_get(q, b.baseAddress! + i * dims) }
        }
        return out
    }
}

/// Circular convolution of real sequences whose length is a power of two, by GSL's radix-2 FFT.
/// A kernel is transformed once and applied to many sequences.
public struct CircularKernel: Sendable {
    public let count: Int
    /// The kernel's transform, in GSL's half-complex order.
    let transform: [Double]

    /// `kernel[k]` is the weight at offset k (offset −k at `count − k`).
    public init(_ kernel: [Double]) {
        let n = kernel.count
        precondition(n >= 2 && n & (n - 1) == 0, "a power of two")
        count = n
        var t = kernel
        t.withUnsafeMutableBufferPointer { _ = gsl_fft_real_radix2_transform($0.baseAddress, 1, n) }
        transform = t
    }

    /// The circular convolution of `x` with the kernel: out[j] = Σᵢ x[i] kernel[(j − i) mod n].
    public func apply(_ x: [Double]) -> [Double] {
        precondition(x.count == count)
        var a = x
        let n = count
        a.withUnsafeMutableBufferPointer { p in
            let d = p.baseAddress!
            _ = gsl_fft_real_radix2_transform(d, 1, n)
            transform.withUnsafeBufferPointer { k in
                d[0] *= k[0]
                d[n / 2] *= k[n / 2]
                for i in 1..<(n / 2) {
                    let re = d[i] * k[i] - d[n - i] * k[n - i]
                    let im = d[i] * k[n - i] + d[n - i] * k[i]
                    d[i] = re; d[n - i] = im
                }
            }
            _ = gsl_fft_halfcomplex_radix2_inverse(d, 1, n)
        }
        return a
    }
}
