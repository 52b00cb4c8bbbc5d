/**
 * Links into the AWS console for "Open in AWS Console". Commercial regions use
 * `<region>.console.aws.amazon.com`; China and GovCloud have their own console hosts.
 */
function consoleBase(region: string): string {
  if (region.startsWith('cn-')) return `https://${region}.console.amazonaws.cn`;
  if (region.startsWith('us-gov-')) return `https://${region}.console.amazonaws-us-gov.com`;
  return `https://${region}.console.aws.amazon.com`;
}

function sagemakerPage(region: string, fragment: string): string {
  return `${consoleBase(region)}/sagemaker/home?region=${region}#/${fragment}`;
}

export function trainingJobConsoleUrl(region: string, job: string): string {
  return sagemakerPage(region, `jobs/${encodeURIComponent(job)}`);
}

export function endpointConsoleUrl(region: string, endpoint: string): string {
  return sagemakerPage(region, `endpoints/${encodeURIComponent(endpoint)}`);
}

export function modelConsoleUrl(region: string, model: string): string {
  return sagemakerPage(region, `models/${encodeURIComponent(model)}`);
}

/**
 * The job's log streams in CloudWatch. The console's logsV2 fragment escapes its own URL encoding
 * with '$' for '%' ("/" is "$252F"), so the group and filter are encoded twice.
 */
export function trainingJobLogsConsoleUrl(region: string, job: string): string {
  const escape = (text: string): string =>
    encodeURIComponent(encodeURIComponent(text)).replace(/%/g, '$');
  return (
    `${consoleBase(region)}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/` +
    `${escape('/aws/sagemaker/TrainingJobs')}$3FlogStreamNameFilter$3D${escape(`${job}/`)}`
  );
}
