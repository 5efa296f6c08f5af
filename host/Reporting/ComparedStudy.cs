using PeftQa.Host.Studies;

namespace PeftQa.Host.Reporting;

/// <summary>A study read from a finished run for <c>peftqa compare</c>: its run folder and the label the run gave it.</summary>
public sealed record ComparedStudy(StudyResult Study, string RunFolder, string LabelInRun);
