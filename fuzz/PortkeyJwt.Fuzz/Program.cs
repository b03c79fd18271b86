using SharpFuzz;

namespace PortkeyJwt.Fuzz;

/// <summary>
/// <c>TARGET</c> (<c>tokens</c>, <c>signed</c> or <c>jwks</c>) runs under afl-fuzz through SharpFuzz's out-of-process
/// fork server, which survives a stack overflow or a killed child; <c>replay TARGET FILE...</c> runs inputs once and
/// says which invariant each breaks; <c>seed FUZZ_DIR</c> regenerates the seed corpus and the harness JWKS.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: PortkeyJwt.Fuzz TARGET                 fuzz TARGET (run by afl-fuzz; see fuzz/run.sh)
               PortkeyJwt.Fuzz replay TARGET FILE...  run each FILE once; exit 1 if any breaks an invariant
               PortkeyJwt.Fuzz seed FUZZ_DIR          rewrite FUZZ_DIR/corpus/* and the harness JWKS (then rebuild)
        targets: tokens, signed, jwks
        """;

    private static int Main(string[] args)
    {
        switch (args)
        {
            case [string name] when FuzzTargets.Names.Contains(name):
                Fuzz(name);
                return 0;

            case ["replay", string name, .. string[] files] when files.Length > 0 && FuzzTargets.Names.Contains(name):
                // Outside afl-fuzz, Fuzzer.Run runs its action once over a private coverage map, which an instrumented
                // PortkeyJwt.dll needs before any of its code runs.
                int failures = 0;
                Fuzzer.Run(_ => failures = Replay(FuzzTargets.Create(name)!, files));
                return failures == 0 ? 0 : 1;

            case ["seed", string directory]:
                SeedCorpus.Write(directory);
                return 0;

            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static void Fuzz(string name)
    {
        // The target is built inside the action: instrumented code may run only once SharpFuzz has mapped afl-fuzz's
        // coverage memory. The first input of each child process pays for the warm-up.
        IFuzzTarget? target = null;
        Fuzzer.OutOfProcess.Run(stream =>
        {
            // SharpFuzz keys each edge on the previous location and never resets it between inputs; starting every input
            // from the same location keeps the first edge from depending on the input before it.
            SharpFuzz.Common.Trace.PrevLocation = 0;
            if (target is null)
            {
                target = FuzzTargets.Create(name)!;
                target.WarmUp();
            }

            target.Run(ReadAll(stream));
        });
    }

    /// <summary>Runs each file once and prints the answer or the finding; returns the number of findings.</summary>
    private static int Replay(IFuzzTarget target, string[] files)
    {
        target.WarmUp();
        int failures = 0;
        foreach (string file in files)
        {
            try
            {
                string? answer = target.Run(File.ReadAllBytes(file), describe: true);
                Console.WriteLine($"ok    {file}: {answer}");
            }
#pragma warning disable CA1031 // replay reports every finding, whatever its type, and goes on to the next file
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures++;
                Console.WriteLine($"FAIL  {file}: {ex.GetType().FullName}: {ex.Message}");
                Console.WriteLine(ex.StackTrace);
            }
        }

        Console.WriteLine($"{files.Length - failures} passed, {failures} failed");
        return failures;
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
