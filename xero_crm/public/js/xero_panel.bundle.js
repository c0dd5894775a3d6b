// The Xero invoices panel as one bundle: `bench build` (Frappe's esbuild) turns this entry and the two
// modules it imports into xero_panel.bundle.[hash].js. It is not on every desk page: the Contact,
// Customer and Opportunity form scripts load it with frappe.require("xero_panel.bundle.js") (and its
// styles, xero_panel.bundle.css), then call xero_crm.panel.attach(frm).
import * as render from "./xero_panel/render.js";
import { attach } from "./xero_panel/wiring.js";

window.xero_crm = window.xero_crm || {};
window.xero_crm.panel = Object.assign({ attach }, render);
