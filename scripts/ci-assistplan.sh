#!/usr/bin/env bash
# The steps of the assistplan GitHub workflow (.github/workflows/assistplan.yml), runnable anywhere.
#
#   ci-assistplan.sh projects  the projects to plan, as a matrix: matrix=JSON and empty=true|false in $GITHUB_OUTPUT
#   ci-assistplan.sh plan      validate; plan, saved and as Markdown and JSON; the pull-request comment
#   ci-assistplan.sh plan-all  plan every project under ASSISTPLAN_PROJECTS in one run; one comment for them all
#   ci-assistplan.sh apply     validate; apply --auto-approve
#   ci-assistplan.sh drift     plan --refresh-only; open, update or close the project's drift issue
#
# Settings, from the environment:
#   ASSISTPLAN_DIR           the manifest root (required, but for projects with ASSISTPLAN_PROJECTS)
#   ASSISTPLAN_ENV           the environment of assistplan.yaml to work on (none when empty)
#   ASSISTPLAN_VAR_FILES     variable files passed as --var-file, one path per line
#   ASSISTPLAN_PROJECTS      projects: list every manifest root under this folder (default: ASSISTPLAN_DIR alone);
#                            plan-all: plan them (required)
#   ASSISTPLAN_CHANGED_SINCE projects, plan-all with ASSISTPLAN_PROJECTS: only the roots a change since this commit
#                            touches (every root when it is empty or not in the clone)
#   ASSISTPLAN_OUT           plan, plan-all, drift: the folder for plan.md, plan.json, saved.plan and plan.log
#                            (default: assistplan-plan; plan-all writes plan.md and plan.log)
#   ASSISTPLAN_COMMIT        plan, plan-all, drift: the commit named in the comment's footer (default: $GITHUB_SHA)
#   ASSISTPLAN_PR            plan, plan-all: the pull request to comment on (no comment when empty)
#   ASSISTPLAN_TESTS         plan, apply: "true" runs the conversation tests (`assistplan test`): on a plan against
#                            the change applied to a throwaway sandbox (their section joins the comment), after an
#                            apply against the live objects; a failed test fails the step
#   ASSISTPLAN_ENV_LINES     NAME=value lines exported for the manifests' {env: NAME} references (not secret)
#   ASSISTPLAN_SECRET_ENV    NAME=value lines exported the same way; each value is masked in the GitHub log first
#   GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL: for the comment and the issue; GITHUB_STEP_SUMMARY: the job
#   summary; GITHUB_OUTPUT: the step's outputs
#
# Exit status: 0 when the plan, apply or drift check succeeded, with or without changes or drift; 1 on any error.
set -euo pipefail

if [[ -z ${ASSISTPLAN_ENV:-} ]]; then
  unset ASSISTPLAN_ENV
fi
dir=${ASSISTPLAN_DIR:-}
var_args=()
while IFS= read -r file; do
  if [[ -n $file ]]; then
    var_args+=(--var-file "$file")
  fi
done <<<"${ASSISTPLAN_VAR_FILES:-}"

# Export NAME=value lines ($2); with $1 = mask, each value is masked in the GitHub Actions log before it is set.
# A malformed line stops the job, naming its number only: it may hold a secret.
export_lines() {
  local mask=$1 number=0 line name
  while IFS= read -r line; do
    number=$((number + 1))
    if [[ -z $line ]]; then
      continue
    fi
    name=${line%%=*}
    if [[ $line != *=* || ! $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
      echo "assistplan: line $number of the environment lines is not NAME=value" >&2
      exit 1
    fi
    if [[ $mask == mask && ${GITHUB_ACTIONS:-} == true && -n ${line#*=} ]]; then
      echo "::add-mask::${line#*=}"
    fi
    export "$name=${line#*=}"
  done <<<"$2"
}
export_lines plain "${ASSISTPLAN_ENV_LINES:-}"
export_lines mask "${ASSISTPLAN_SECRET_ENV:-}"
# kept, not exported: only the failure report is given it, to scrub those values from what it posts
secret_lines=${ASSISTPLAN_SECRET_ENV:-}
unset ASSISTPLAN_ENV_LINES ASSISTPLAN_SECRET_ENV

# --commit ASSISTPLAN_COMMIT (the commit named in the footers) in the array `commit_args`, when it is set.
commit_args=()
if [[ -n ${ASSISTPLAN_COMMIT:-} ]]; then
  commit_args=(--commit "$ASSISTPLAN_COMMIT")
fi

# assistplan without the GitHub token, which only the comment needs (manifest templates can read the environment).
tokenless() {
  env -u GITHUB_TOKEN assistplan "$@"
}

require_dir() {
  if [[ -z $dir ]]; then
    echo "assistplan: ASSISTPLAN_DIR must name the manifest root" >&2
    exit 1
  fi
}

# --changed-since ASSISTPLAN_CHANGED_SINCE in the array `changed_args`, when that commit is in the clone.
changed_args=()
choose_changed() {
  local ref=${ASSISTPLAN_CHANGED_SINCE:-}
  if [[ -n $ref ]] && git rev-parse --verify --quiet "$ref^{commit}" >/dev/null; then
    changed_args=(--changed-since "$ref")
  elif [[ -n $ref ]]; then
    echo "assistplan: commit $ref is not in the clone: every project is listed" >&2
  fi
}

run_projects() {
  local args matrix
  if [[ -n ${ASSISTPLAN_PROJECTS:-} ]]; then
    choose_changed
    args=("$ASSISTPLAN_PROJECTS")
    if ((${#changed_args[@]})); then
      args+=("${changed_args[@]}" "${var_args[@]}")
    fi
  else
    require_dir
    args=("$dir" --max-depth 0)
  fi
  matrix=$(tokenless projects "${args[@]}" --format json)
  echo "$matrix"
  if [[ -n ${GITHUB_OUTPUT:-} ]]; then
    {
      echo "matrix=$matrix"
      if [[ $matrix == '{"include": []}' ]]; then echo "empty=true"; else echo "empty=false"; fi
    } >>"$GITHUB_OUTPUT"
  fi
}

# Write the failure report that assistplan with the rest of the arguments prints (without the GitHub token, given the
# secret lines, whose values it scrubs) into $1/plan.md and add it to the job summary; when no report could be made,
# remove $1/plan.md so that nothing is commented.
failure_report() {
  local out=$1
  shift
  if env -u GITHUB_TOKEN ASSISTPLAN_SECRET_ENV="$secret_lines" assistplan "$@" >"$out/plan.md"; then
    if [[ -n ${GITHUB_STEP_SUMMARY:-} ]]; then
      { cat "$out/plan.md" && echo; } >>"$GITHUB_STEP_SUMMARY"
    fi
  else
    rm -f "$out/plan.md"
  fi
}

# Comment $1/plan.md on the pull request ASSISTPLAN_PR, when there is one and the file is not empty.
comment_on_pr() {
  local out=$1
  if [[ -n ${ASSISTPLAN_PR:-} && -s $out/plan.md ]]; then
    assistplan github comment --file "$out/plan.md" --pr "$ASSISTPLAN_PR"
  fi
}

run_plan() {
  require_dir
  local out=${ASSISTPLAN_OUT:-assistplan-plan}
  local status=0
  mkdir -p "$out"
  rm -f "$out/plan.md" "$out/plan.json" "$out/saved.plan" "$out/plan.log"

  tokenless --chdir "$dir" validate "${var_args[@]}" >"$out/plan.log" 2>&1 || status=$?
  if ((status == 0)); then
    # --detailed-exitcode: 0 no changes, 2 changes (both fine), anything else an error.
    tokenless --chdir "$dir" plan --out "$out/saved.plan" --format markdown --detailed-exitcode \
      "${commit_args[@]}" "${var_args[@]}" >"$out/plan.md" 2>>"$out/plan.log" || status=$?
  fi
  cat "$out/plan.log" >&2

  if ((status == 0 || status == 2)) && [[ -s $out/saved.plan ]]; then
    status=0
    tokenless show "$out/saved.plan" --format json "${commit_args[@]}" >"$out/plan.json"
    if [[ ${ASSISTPLAN_TESTS:-} == true ]]; then
      rm -f "$out/tests.md" "$out/tests.xml"
      tokenless --chdir "$dir" test --sandbox --markdown "$out/tests.md" --junit "$out/tests.xml" \
        "${var_args[@]}" >&2 || status=1
      if [[ -s $out/tests.md ]]; then
        { echo && cat "$out/tests.md"; } >>"$out/plan.md"
      fi
    fi
  else
    status=1
    echo "assistplan: the plan failed; the errors are above." >&2
    failure_report "$out" --chdir "$dir" github failure-report "$out/plan.log" "${commit_args[@]}"
  fi

  comment_on_pr "$out"
  return "$status"
}

run_plan_all() {
  if [[ -z ${ASSISTPLAN_PROJECTS:-} ]]; then
    echo "assistplan: ASSISTPLAN_PROJECTS must name the folder of the projects" >&2
    exit 1
  fi
  local out=${ASSISTPLAN_OUT:-assistplan-plan}
  local status=0
  choose_changed
  mkdir -p "$out"
  rm -f "$out/plan.md" "$out/plan.log"
  # --detailed-exitcode: 0 no changes, 2 changes (both fine), 1 a project could not be planned (its section of the
  # comment holds its errors), anything else an error.
  tokenless plan --projects "$ASSISTPLAN_PROJECTS" "${changed_args[@]}" --format markdown --detailed-exitcode \
    "${commit_args[@]}" "${var_args[@]}" >"$out/plan.md" 2>"$out/plan.log" || status=$?
  cat "$out/plan.log" >&2
  if ((status == 2)); then
    status=0
  elif ((status != 0)) && [[ -s $out/plan.md ]]; then
    status=1
    echo "assistplan: a project could not be planned; its errors are above and in its section of the comment." >&2
  elif ((status != 0)); then
    # The run failed as a whole, before any plan was printed: the comment says so instead of showing an old plan.
    status=1
    echo "assistplan: the projects could not be planned; the errors are above." >&2
    failure_report "$out" github failure-report --projects "$out/plan.log" "${commit_args[@]}"
  fi
  comment_on_pr "$out"
  return "$status"
}

run_apply() {
  require_dir
  tokenless --chdir "$dir" validate "${var_args[@]}"
  tokenless --chdir "$dir" apply --auto-approve "${var_args[@]}"
  if [[ ${ASSISTPLAN_TESTS:-} == true ]]; then
    tokenless --chdir "$dir" test "${var_args[@]}"
  fi
}

run_drift() {
  require_dir
  local out=${ASSISTPLAN_OUT:-assistplan-plan}
  local status=0
  mkdir -p "$out"
  rm -f "$out/plan.md"
  # --detailed-exitcode: 0 no drift, 2 drift, anything else an error.
  tokenless --chdir "$dir" plan --refresh-only --format markdown --detailed-exitcode \
    "${commit_args[@]}" "${var_args[@]}" >"$out/plan.md" || status=$?
  case $status in
    0) assistplan github drift-issue --file "$out/plan.md" --resolved "${commit_args[@]}" ;;
    2) assistplan github drift-issue --file "$out/plan.md" ;;
    *)
      echo "assistplan: the drift check failed; the errors are above." >&2
      return 1
      ;;
  esac
}

case ${1:-} in
  projects) run_projects ;;
  plan) run_plan ;;
  plan-all) run_plan_all ;;
  apply) run_apply ;;
  drift) run_drift ;;
  *)
    echo "usage: $0 projects|plan|plan-all|apply|drift" >&2
    exit 1
    ;;
esac
