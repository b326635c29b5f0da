using System.Text;

namespace Untapped.Training.Experiments;

/// <summary>
/// The sbatch job-array script of a sweep: task i runs trial i. Safe under --requeue and preemption: each task runs
/// `untapped experiment --trial i`, which resumes the trial's checkpoint or skips it when complete; Slurm's SIGTERM
/// makes it commit a checkpoint before it exits.
/// </summary>
public static class SlurmScript
{
    public sealed record Job(
        int Tasks,
        string LogDir,
        string? Partition,
        string? Time,
        int GpusPerTask,
        int CpusPerTask,
        int? MaxParallel
    );

    /// <summary>Single-quotes a word for bash.</summary>
    public static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@%+".Contains(c))
            ? s
            : "'" + s.Replace("'", "'\\''") + "'";

    public static string Render(Job job, IReadOnlyList<string> argv)
    {
        if (job.Tasks < 1)
            throw new UsageException("the sweep has no trials");
        var sb = new StringBuilder("#!/bin/bash\n");
        sb.Append("# Written by `untapped experiment slurm`: one array task per trial of the sweep.\n");
        sb.Append("#SBATCH --job-name=untapped-sweep\n");
        sb.Append($"#SBATCH --array=0-{job.Tasks - 1}{(job.MaxParallel is { } m ? $"%{m}" : "")}\n");
        sb.Append("#SBATCH --ntasks=1\n");
        sb.Append($"#SBATCH --cpus-per-task={job.CpusPerTask}\n");
        if (job.GpusPerTask > 0)
            sb.Append($"#SBATCH --gpus-per-task={job.GpusPerTask}\n");
        if (job.Partition is { } p)
            sb.Append($"#SBATCH --partition={p}\n");
        if (job.Time is { } t)
            sb.Append($"#SBATCH --time={t}\n");
        sb.Append("#SBATCH --requeue\n");
        sb.Append("#SBATCH --open-mode=append\n");
        // 120 s before its time limit the batch shell gets SIGTERM (B:) and passes it to untapped, which commits a
        // checkpoint and exits 3; the task then requeues itself, and its next run resumes the trial. Preemption sends
        // SIGTERM to every process of the job (then SIGKILL after KillWait) and requeues it by itself.
        sb.Append("#SBATCH --signal=B:TERM@120\n");
        sb.Append($"#SBATCH --output={job.LogDir}/%A_%a.out\n");
        sb.Append("set -uo pipefail\n");
        sb.Append($"{string.Join(" ", argv.Select(Quote))} --trial \"$SLURM_ARRAY_TASK_ID\" &\n");
        sb.Append("pid=$!\n");
        sb.Append("trap 'kill -TERM \"$pid\" 2>/dev/null' TERM INT\n");
        sb.Append("wait \"$pid\"; rc=$?\n");
        sb.Append("# A trapped signal interrupts wait: wait again for untapped's own exit code.\n");
        sb.Append("while kill -0 \"$pid\" 2>/dev/null; do wait \"$pid\"; rc=$?; done\n");
        sb.Append(
            $"if [ \"$rc\" -eq {Runs.TrainingStoppedException.ExitCode} ] && [ -n \"${{SLURM_ARRAY_JOB_ID:-}}\" ]; then\n"
        );
        sb.Append(
            "  echo \"untapped stopped after committing a checkpoint: requeueing ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"\n"
        );
        sb.Append("  scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"\n");
        sb.Append("fi\n");
        sb.Append("exit \"$rc\"\n");
        return sb.ToString();
    }
}
