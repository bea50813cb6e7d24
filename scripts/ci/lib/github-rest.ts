// The few GitHub REST calls the CI scripts make (issue comments, issues), with the settings Actions
// provides: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL.

/** Where and as whom to call the API. */
export interface GitHubContext {
  api: string;
  repository: string;
  token: string;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run inside GitHub Actions or set it`);
  return value;
}

export function githubContextFromEnv(): GitHubContext {
  return { api: process.env.GITHUB_API_URL ?? "https://api.github.com", repository: required("GITHUB_REPOSITORY"), token: required("GITHUB_TOKEN") };
}

/** One REST call; throws with the status and the start of GitHub's answer when it is not 2xx. */
export async function githubRequest<T>(ctx: GitHubContext, method: string, pathAndQuery: string, body?: unknown): Promise<T> {
  const url = `${ctx.api}/repos/${ctx.repository}${pathAndQuery}`;
  const res = await fetch(url, {
    method,
    headers: {
      accept: "application/vnd.github+json",
      authorization: `Bearer ${ctx.token}`,
      "x-github-api-version": "2022-11-28",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

/** GitHub refuses issue and comment bodies above 65536 characters. */
export function fitBody(text: string, max = 65000): string {
  return text.length > max ? text.slice(0, max) + "\n\n… cut to fit; the full summary is on the run page." : text;
}
