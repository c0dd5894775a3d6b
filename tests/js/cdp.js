// Headless Chromium driven over the DevTools protocol on a pipe (no network port, no dependency): a
// page at a phone's size (Emulation.setDeviceMetricsOverride; --window-size cannot go under 500 px),
// script evaluated in it, screenshots. Used by xero_panel.test.js for the narrow-viewport cases.
"use strict";

const { spawn, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const CHROMIUM = ["chromium", "chromium-browser"].find(
	(cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0,
);

// Headless, no background networking (this machine's network is closed), and ES modules from file://
// (the panel's bundle entry is one).
const FLAGS = [
	"--headless",
	"--no-sandbox",
	"--disable-gpu",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--allow-file-access-from-files",
];

// A browser with one page of `width` x `height` CSS pixels. Resolves to { evaluate, screenshot,
// navigate, close }.
async function open_page({ width, height, mobile = true, scale = 2 }) {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), "xero-cdp-"));
	const browser = spawn(
		CHROMIUM,
		[...FLAGS, "--hide-scrollbars", "--remote-debugging-pipe", `--user-data-dir=${profile}`, "about:blank"],
		{
			stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"],
		},
	);
	const [to_browser, from_browser] = [browser.stdio[3], browser.stdio[4]];
	let next = 0;
	const waiting = new Map();
	let buffer = "";
	from_browser.on("data", (chunk) => {
		buffer += chunk.toString("utf8");
		let end;
		while ((end = buffer.indexOf("\0")) >= 0) {
			const message = JSON.parse(buffer.slice(0, end));
			buffer = buffer.slice(end + 1);
			const pending = waiting.get(message.id);
			if (!pending) continue;
			waiting.delete(message.id);
			if (message.error) pending.reject(new Error(`${pending.method}: ${message.error.message}`));
			else pending.resolve(message.result);
		}
	});
	const send = (method, params, sessionId) =>
		new Promise((resolve, reject) => {
			const id = ++next;
			waiting.set(id, { resolve, reject, method });
			to_browser.write(JSON.stringify({ id, method, params: params || {}, sessionId }) + "\0");
		});
	const { targetId } = await send("Target.createTarget", { url: "about:blank" });
	const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
	const page = (method, params) => send(method, params, sessionId);
	await page("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: scale, mobile });
	await page("Emulation.setTouchEmulationEnabled", { enabled: mobile });
	await page("Page.enable");

	const evaluate = async (expression) => {
		const r = await page("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
		if (r.exceptionDetails) throw new Error(r.exceptionDetails.text + " " + expression.slice(0, 80));
		return r.result.value;
	};
	// resolves once `expression` is truthy (checked every 50 ms), with its value
	const until = async (expression, timeout = 15000) => {
		const started = Date.now();
		for (;;) {
			const value = await evaluate(expression).catch(() => null);
			if (value) return value;
			if (Date.now() - started > timeout) throw new Error(`timed out waiting for ${expression}`);
			await new Promise((r) => setTimeout(r, 50));
		}
	};
	return {
		evaluate,
		until,
		navigate: (url) => page("Page.navigate", { url }),
		async screenshot(file) {
			const { data } = await page("Page.captureScreenshot", { format: "png", captureBeyondViewport: false });
			fs.writeFileSync(file, Buffer.from(data, "base64"));
		},
		// the whole page, however long (the panel at a phone's width is taller than the screen)
		async full_screenshot(file) {
			const h = await evaluate("document.documentElement.scrollHeight");
			await page("Emulation.setDeviceMetricsOverride", {
				width,
				height: h,
				deviceScaleFactor: scale,
				mobile,
			});
			const { data } = await page("Page.captureScreenshot", { format: "png" });
			await page("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: scale, mobile });
			fs.writeFileSync(file, Buffer.from(data, "base64"));
		},
		async close() {
			const exited = new Promise((resolve) =>
				browser.exitCode !== null ? resolve() : browser.once("exit", resolve),
			);
			await Promise.race([send("Browser.close"), new Promise((r) => setTimeout(r, 2000))]).catch(() => {});
			if (browser.exitCode === null) browser.kill();
			await exited;
			// its helper processes may still be writing the profile for a moment
			for (let attempt = 0; attempt < 20; attempt++) {
				try {
					fs.rmSync(profile, { recursive: true, force: true });
					return;
				} catch (err) {
					await new Promise((r) => setTimeout(r, 100));
				}
			}
		},
	};
}

module.exports = { CHROMIUM, FLAGS, open_page };
