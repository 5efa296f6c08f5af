using PeftQa.Host.Foundation;
using Microsoft.Extensions.Logging;

namespace PeftQa.Host.Runs;

/// <summary>
/// One shard's (or one study's) studies in the shared run folder: once the folder is prepared, each study under its
/// own lock, continued where it stopped; finished ones are skipped. Reports are left to <c>peftqa report</c>, which
/// reads every study's result.
/// </summary>
internal sealed class ShardExecution(RunExecution execution, RunRequest request, PreparedRun prepared, PartOfRun part)
{
    private ILogger Logger => execution.Logger;

    public void Run(CancellationToken cancellation)
    {
        WaitUntilPrepared(cancellation);
        using var runFolder = execution.OpenRunFolder(prepared, request.RunFolder!, RunFolderMode.Shard, request);
        var pinned = execution.WithPrecisionPinnedBy(runFolder.Path, prepared);
        execution.RunLog.Open(runFolder.Path, Path.Combine("logs", $"{part.Name}.json"));
        var context = execution.Studies.ContextFor(pinned, runFolder.Path, resume: true, cancellation);
        var plan = RunPreparation.Apply(runFolder.Path, pinned.Plan);
        var studies = part.Indices.Select(i => plan.Studies[i]).ToList();
        Logger.LogInformation("{Part} of run folder {RunFolder}: {Studies}",
            part.Name, runFolder.Path, string.Join(", ", studies.Select(s => s.Label)));
        execution.Studies.Train(plan, studies, context, finished: null, cancellation);
        Logger.LogInformation("{Part} finished {Count} studies; once every shard has, write the reports with: peftqa report {RunFolder}",
            part.Name, studies.Count, runFolder.Path);
    }

    /// <summary>Until the folder is prepared: prepares it if no other process is (the first to lock it does), else waits for that one.</summary>
    private void WaitUntilPrepared(CancellationToken cancellation)
    {
        var folder = request.RunFolder!;
        bool announced = false;
        while (!RunPreparation.IsDone(folder))
        {
            bool existed = File.Exists(Path.Combine(folder, RunFolder.RecipeFile));
            try
            {
                execution.PrepareRunFolder(request, prepared, cancellation);
                return;
            }
            catch (RunFolderInUseException)
            {
                if (!announced)
                    Logger.LogInformation("Waiting for {RunFolder} to be prepared by another process (its baseline{Selection})", folder,
                        prepared.Plan.NeedsSelection ? " and selection" : "");
                announced = true;
            }
            catch (BadInputException) when (!existed && File.Exists(Path.Combine(folder, RunFolder.RecipeFile)))
            {
                // Another shard created the run between our look and our lock: look again.
            }
            cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(2));
            cancellation.ThrowIfCancellationRequested();
        }
    }
}
