import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Subjects } from "@orch/contracts";
import { EventStore } from "@orch/event-store";
import { SystemUnderTest, TEST_NATS_URL, waitFor } from "@orch/testing";

const json = (res: Response): Promise<any> => res.json();

/**
 * An agent killed mid-EXECUTE (SIGKILL of a real process that was heartbeating): the agent
 * manager declares it LOST, the session service suspends its session, and another agent takes the
 * session over with a briefing that names the last 3 actions and the open gate.
 */
describe("an agent killed mid-EXECUTE", () => {
  let system: SystemUnderTest;
  let heart: ChildProcess | undefined;

  beforeAll(async () => {
    // The shipped template, with an EXECUTE that still needs TODO.md, so the open gate has something in it.
    const dir = mkdtempSync(join(tmpdir(), "orch-wf-"));
    for (const f of ["default.yaml", "bug_fix.yaml"]) {
      const text = readFileSync(
        join(__dirname, "..", "config", "workflows", f),
        "utf8",
      );
      writeFileSync(
        join(dir, f),
        f === "default.yaml"
          ? text.replace(
              "required: []\n      optional: [BUGS.md, TOOLS.md]",
              "required: [TODO.md]\n      optional: [BUGS.md, TOOLS.md]",
            )
          : text,
      );
    }
    system = await SystemUnderTest.start({
      services: ["planner", "session-service", "bug-service", "agent-manager"],
      env: {
        WORKFLOWS_DIR: dir,
        AGENT_STALE_AFTER_MS: "500",
        AGENT_LOST_AFTER_MS: "1500",
        AGENT_SWEEP_MS: "100",
        AGENT_AUTO_ASSIGN: "off",
        RATE_LIMITS: "off",
      },
    });
  }, 60_000);

  afterAll(async () => {
    heart?.kill("SIGKILL");
    await system?.stop();
  });

  const register = async (
    name: string,
    permission: "full" | "limited" = "limited",
  ) => {
    const res = await system.fetch("/api/v1/agents", {
      json: {
        name,
        type: "coder",
        capabilities: ["code_generation"],
        permission,
      },
    });
    expect(res.status).toBe(201);
    return (await json(res)) as { agent: { id: string }; apiKey: string };
  };
  const as = (key: string, path: string, body?: unknown) =>
    system.fetch(`/api/v1${path}`, {
      key,
      json: body,
      method: body === undefined ? "GET" : "POST",
    });

  it("is suspended when its agent is lost, and another agent resumes it with the briefing", async () => {
    expect(
      (
        await system.fetch("/api/v1/tasks", {
          json: {
            code: "TSK-KILL",
            title: "Survive an agent crash",
            estimateMinutes: 60,
          },
        })
      ).status,
    ).toBe(201);
    const one = await register("coder-one");
    // The agent is a real process that heartbeats until it is killed.
    const beat = `setInterval(() => fetch(${JSON.stringify(`${system.url}/api/v1/agents/${one.agent.id}/heartbeat`)}, { method: 'POST', headers: { authorization: 'Bearer ${one.apiKey}', 'content-type': 'application/json' }, body: '{}' }).catch(() => {}), 100);`;
    heart = spawn(process.execPath, ["-e", beat], { stdio: "ignore" });

    const started = await json(
      await as(one.apiKey, "/sessions", { taskCode: "TSK-KILL" }),
    );
    const key = started.session.sessionKey;
    expect(started.session.agentId).toBe(one.agent.id);
    for (const name of ["TASK.md", "CONTEXT.md", "PLAN.md"]) {
      expect(
        (
          await as(one.apiKey, `/sessions/${key}/artifacts`, {
            name,
            content: `# ${name}`,
          })
        ).status,
      ).toBe(201);
      expect(
        (await as(one.apiKey, `/sessions/${key}/phase-complete`, {})).status,
      ).toBe(200);
    }
    await as(one.apiKey, `/sessions/${key}/notes`, {
      text: "handlers for /me written, tests next",
    });
    await as(one.apiKey, `/sessions/${key}/progress`, {
      text: "EXECUTE about half done",
      percent: 50,
    });
    const alive = await json(await as(one.apiKey, `/sessions/${key}`));
    expect(alive.session).toMatchObject({
      status: "ACTIVE",
      currentPhase: "EXECUTE",
    });

    heart.kill("SIGKILL");
    const suspended = await waitFor(
      "the session to be suspended after its agent was lost",
      async () => {
        const s = await json(await system.fetch(`/api/v1/sessions/${key}`));
        return s.session.status === "SUSPENDED" && s;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(suspended.instructions.suggestedCommands).toEqual([
      `orch session-resume ${key}`,
    ]);

    const two = await register("coder-two");
    const resumed = await as(two.apiKey, "/sessions", { taskCode: "TSK-KILL" });
    expect(resumed.status).toBe(201);
    const body = await json(resumed);
    expect(body).toMatchObject({
      outcome: "resumed",
      session: {
        sessionKey: key,
        status: "ACTIVE",
        agentId: two.agent.id,
        currentPhase: "EXECUTE",
      },
    });
    const b = body.briefing;
    expect(b.lastActions.map((a: { summary: string }) => a.summary)).toEqual([
      expect.stringMatching(
        /^suspended the session: agent coder-one \(.+\) was lost$/,
      ),
      "progress 50%: EXECUTE about half done",
      "note: handlers for /me written, tests next",
    ]);
    expect(b.openGate).toEqual([
      {
        kind: "artifact",
        name: "TODO.md",
        hint: "register it: orch artifact TODO.md ./TODO.md",
      },
    ]);
    expect(b.instructions.suggestedCommands).toContain(
      "orch artifact TODO.md ./TODO.md",
    );
    expect(b.artifacts.map((a: { name: string }) => a.name)).toEqual([
      "TASK.md",
      "CONTEXT.md",
      "PLAN.md",
    ]);

    const nc = await connect({ servers: TEST_NATS_URL });
    try {
      const store = new EventStore(
        jetstream(nc),
        await jetstreamManager(nc),
        system.iso.env.NATS_STREAM!,
      );
      const subjects = new Subjects(system.iso.env.NATS_SUBJECT_PREFIX!);
      const typesOf = async (type: string, id: string) =>
        (await store.readSubject(subjects.aggregate(type, id))).flatMap((c) =>
          c.events.map((e) => e.type),
        );
      expect(await typesOf("agent", one.agent.id)).toContain(
        "orchestration.agent.lost",
      );
      const sessionTypes = await typesOf("session", key);
      expect(
        sessionTypes.filter((t) => t === "orchestration.session.suspended"),
      ).toHaveLength(1);
      expect(sessionTypes.slice(-2)).toEqual([
        "orchestration.session.taken_over",
        "orchestration.session.resumed",
      ]);
    } finally {
      await nc.close();
    }
  });

  it("lets a full-permission agent override a gate (the agent manager's word), and refuses a limited one", async () => {
    for (const code of ["TSK-FULL", "TSK-LIMITED"])
      expect(
        (await system.fetch("/api/v1/tasks", { json: { code, title: code } }))
          .status,
      ).toBe(201);
    const lead = await register("lead", "full");
    const junior = await register("junior", "limited");
    // Both stay alive (heartbeating) for the length of the test, so neither is declared lost.
    const beats = [lead, junior].map((a) =>
      spawn(
        process.execPath,
        [
          "-e",
          `setInterval(() => fetch(${JSON.stringify(`${system.url}/api/v1/agents/${a.agent.id}/heartbeat`)}, { method: 'POST', headers: { authorization: 'Bearer ${a.apiKey}', 'content-type': 'application/json' }, body: '{}' }).catch(() => {}), 100);`,
        ],
        { stdio: "ignore" },
      ),
    );
    try {
      const leadKey = (
        await json(await as(lead.apiKey, "/sessions", { taskCode: "TSK-FULL" }))
      ).session.sessionKey;
      const juniorKey = (
        await json(
          await as(junior.apiKey, "/sessions", { taskCode: "TSK-LIMITED" }),
        )
      ).session.sessionKey;
      const refused = await as(
        junior.apiKey,
        `/sessions/${juniorKey}/phase-complete`,
        { override: true, reason: "trust me" },
      );
      expect(refused.status).toBe(403);
      expect((await json(refused)).code).toBe("SESSION.OVERRIDE_FORBIDDEN");
      const overridden = await as(
        lead.apiKey,
        `/sessions/${leadKey}/phase-complete`,
        { override: true, reason: "TASK.md is the ticket itself" },
      );
      expect(overridden.status).toBe(200);
      expect(await json(overridden)).toMatchObject({
        outcome: "overridden",
        session: { currentPhase: "RESEARCH" },
      });
    } finally {
      for (const b of beats) b.kill("SIGKILL");
    }
  });
});
