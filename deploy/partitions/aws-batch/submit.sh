#!/usr/bin/env bash
# A partitioned audit on AWS Batch, submitted at once: runs start, then the collect array job
# (8 children, each given AWS_BATCH_JOB_ARRAY_INDEX 0..7) once the start succeeded, then evaluate
# once every child succeeded (a dependency on an array job waits for all its children).
# Needs the aws CLI, jq, the job queue "shoko" and the job definition of job-definition.json
# (aws batch register-job-definition --cli-input-json file://job-definition.json).
# See docs/partitions.md.
set -euo pipefail
cd "$(dirname "$0")"
run_id="${RUN_ID:-$(date -u +%Y%m%dT%H%M%SZ)-batch}"
# Batch documents Ref:: substitution in the job definition's command (the array job's); in a
# submission's command override the run id is written in here instead.
# https://docs.aws.amazon.com/batch/latest/userguide/example-use-parameters.html
submit() { # submit FILE [DEPENDS_ON_JOB_ID] → job id
  local spec
  spec=$(jq --arg run "$run_id" --arg dep "${2:-}" \
    '.parameters.run_id = $run | .jobName += "-" + ($run | ascii_downcase | gsub("[^a-z0-9-]"; "-"))
     | if .containerOverrides then .containerOverrides.command |= map(if . == "Ref::run_id" then $run else . end) else . end
     | if $dep != "" then .dependsOn = [{jobId: $dep}] else . end' "$1")
  aws batch submit-job --cli-input-json "$spec" --query jobId --output text
}
start=$(submit submit-runs-start.json)
collect=$(submit submit-collect-array.json "$start")
evaluate=$(submit submit-evaluate.json "$collect")
echo "run $run_id: runs start $start, collect $collect (array of 8), evaluate $evaluate"
