// jstat ships no types; declare only the special functions heatcheck's statistics use.
declare module 'jstat' {
  interface JStat {
    /** Regularized incomplete beta function I_x(a, b). */
    ibeta(x: number, a: number, b: number): number;
    /** Error function. */
    erf(x: number): number;
    readonly normal: {
      cdf(x: number, mean: number, std: number): number;
      pdf(x: number, mean: number, std: number): number;
    };
    readonly studentt: {
      cdf(x: number, dof: number): number;
    };
  }
  const jStat: JStat;
  export default jStat;
}
