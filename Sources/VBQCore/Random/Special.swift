import Foundation
internal import CGSL

/// GSL's distribution functions and its Cholesky factorisation, behind Swift names: the layers
/// above this one never import GSL themselves.
public enum Special {
    // Normal with mean 0 and the given SD.
    public static func normalP(_ x: Double, sd: Double) -> Double { gsl_cdf_gaussian_P(x, sd) }
    public static func normalQ(_ x: Double, sd: Double) -> Double { gsl_cdf_gaussian_Q(x, sd) }
    public static func normalPDF(_ x: Double, sd: Double) -> Double { gsl_ran_gaussian_pdf(x, sd) }
    public static func normalPinv(_ p: Double, sd: Double) -> Double { gsl_cdf_gaussian_Pinv(p, sd) }

    public static func lognormalP(_ x: Double, meanlog: Double, sdlog: Double) -> Double { gsl_cdf_lognormal_P(x, meanlog, sdlog) }
    public static func lognormalQ(_ x: Double, meanlog: Double, sdlog: Double) -> Double { gsl_cdf_lognormal_Q(x, meanlog, sdlog) }
    public static func lognormalPDF(_ x: Double, meanlog: Double, sdlog: Double) -> Double { gsl_ran_lognormal_pdf(x, meanlog, sdlog) }
    public static func lognormalPinv(_ p: Double, meanlog: Double, sdlog: Double) -> Double { gsl_cdf_lognormal_Pinv(p, meanlog, sdlog) }

    public static func gammaP(_ x: Double, shape: Double, scale: Double) -> Double { gsl_cdf_gamma_P(x, shape, scale) }
    public static func gammaQ(_ x: Double, shape: Double, scale: Double) -> Double { gsl_cdf_gamma_Q(x, shape, scale) }
    public static func gammaPDF(_ x: Double, shape: Double, scale: Double) -> Double { gsl_ran_gamma_pdf(x, shape, scale) }
    public static func gammaPinv(_ p: Double, shape: Double, scale: Double) -> Double { gsl_cdf_gamma_Pinv(p, shape, scale) }

    public static func tP(_ x: Double, df: Double) -> Double { gsl_cdf_tdist_P(x, df) }
    public static func tQ(_ x: Double, df: Double) -> Double { gsl_cdf_tdist_Q(x, df) }
    public static func tPDF(_ x: Double, df: Double) -> Double { gsl_ran_tdist_pdf(x, df) }
    public static func tPinv(_ p: Double, df: Double) -> Double { gsl_cdf_tdist_Pinv(p, df) }

    public static func chisqP(_ x: Double, df: Double) -> Double { gsl_cdf_chisq_P(x, df) }
    public static func chisqPinv(_ p: Double, df: Double) -> Double { gsl_cdf_chisq_Pinv(p, df) }

    /// Replaces the symmetric positive-definite p × p matrix in `a` (row-major) by its inverse
    /// and returns log det(a); nil when the Cholesky factorisation or the inversion fails.
    public static func choleskyInvert(_ a: UnsafeMutableBufferPointer<Double>, order p: Int) -> Double? {
        var view = gsl_matrix_view_array(a.baseAddress, p, p)
        guard gsl_linalg_cholesky_decomp1(&view.matrix) == GSL_SUCCESS else { return nil }
        var logDet = 0.0
        for i in 0..<p { logDet += 2 * log(a[i * p + i]) }
        guard logDet.isFinite, gsl_linalg_cholesky_invert(&view.matrix) == GSL_SUCCESS else { return nil }
        return logDet
    }
}
