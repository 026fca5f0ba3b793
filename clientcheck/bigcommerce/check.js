// check.js drives a BigCommerce store's REST API (the erpsync sandbox) as an
// application would, through node-bigcommerce, a widely used client: V2
// orders paged to their 204 end, V3 order metafields, inventory locations,
// items and absolute adjustments, catalog variants, a hidden (draft) product,
// customers with their addresses and metafields, an order shipment, an order
// cancelled and its refunds, a webhook registration
// whose callback is verified with the Standard Webhooks library that
// BigCommerce's docs recommend, a refused token in both API versions, and a
// 429 surfaced by the library and waited out by it. It exits non-zero on the
// first failed call or any mismatch.
//
// node-bigcommerce always calls https://api.bigcommerce.com on port 443. The
// library takes an https.Agent in its config; the agent given here opens its
// connections to the sandbox instead (still TLS, with api.bigcommerce.com as
// the server name), so the library's own code runs unchanged. The sandbox's
// certificate comes through NODE_EXTRA_CA_CERTS.
//
// Environment: BC_SANDBOX (host:port of the sandbox), BC_STORE_HASH,
// BC_ACCESS_TOKEN, BC_CLIENT_ID, BC_CLIENT_SECRET, BC_ORDERS (how many orders
// the store holds). The store must sell CHECK-1 and CHECK-2 and not
// CHECK-DRAFT, keep a location coded WH-EAST and a customer
// check@example.com, and answer its first two GET /v2/store with 429 and an
// X-Retry-After of 1.
'use strict';

const http = require('http');
const https = require('https');
const tls = require('tls');
const BigCommerce = require('node-bigcommerce');
const { Webhook } = require('standardwebhooks');

const API_HOST = 'api.bigcommerce.com';
const failures = [];

function expect(ok, what) {
  if (!ok) {
    failures.push(what);
  }
}

function config() {
  const names = ['BC_SANDBOX', 'BC_STORE_HASH', 'BC_ACCESS_TOKEN', 'BC_CLIENT_ID',
    'BC_CLIENT_SECRET', 'BC_ORDERS'];
  const missing = names.filter((k) => !process.env[k]);
  if (missing.length > 0) {
    throw new Error(`missing environment: ${missing.join(', ')}`);
  }
  const [host, port] = process.env.BC_SANDBOX.split(':');
  return {
    host, port: Number(port),
    storeHash: process.env.BC_STORE_HASH,
    accessToken: process.env.BC_ACCESS_TOKEN,
    clientId: process.env.BC_CLIENT_ID,
    clientSecret: process.env.BC_CLIENT_SECRET,
    orders: Number(process.env.BC_ORDERS),
  };
}

// SandboxAgent connects the library's requests for api.bigcommerce.com:443
// to the sandbox.
class SandboxAgent extends https.Agent {
  constructor(host, port) {
    super({ keepAlive: false });
    this.sandbox = { host, port };
  }

  createConnection(options) {
    return tls.connect({ ...options, host: this.sandbox.host, port: this.sandbox.port,
      servername: API_HOST });
  }
}

// client returns a node-bigcommerce client of API version; extra overrides
// its config.
function client(cfg, version, extra = {}) {
  return new BigCommerce({
    clientId: cfg.clientId,
    accessToken: cfg.accessToken,
    storeHash: cfg.storeHash,
    responseType: 'json',
    apiVersion: version,
    failOnLimitReached: true,
    agent: new SandboxAgent(cfg.host, cfg.port),
    ...extra,
  });
}

// refusal runs call and returns the error the library rejects it with.
async function refusal(call) {
  try {
    await call();
  } catch (err) {
    return err;
  }
  return null;
}

function body(err) {
  try {
    return JSON.parse(err.responseBody);
  } catch (e) {
    return null;
  }
}

async function checkBadToken(cfg) {
  const v2 = await refusal(() => client(cfg, 'v2', { accessToken: 'wrong' }).get('/orders'));
  const v2Body = v2 && body(v2);
  expect(v2 && v2.code === 401 && Array.isArray(v2Body) && v2Body[0].status === 401,
    `a wrong token on V2 failed with ${v2 && v2.code} ${v2 && v2.responseBody}`);

  const v3 = await refusal(() => client(cfg, 'v3', { accessToken: 'wrong' })
    .get('/inventory/locations'));
  const v3Body = v3 && body(v3);
  expect(v3 && v3.code === 401 && v3Body && v3Body.status === 401 && v3Body.title,
    `a wrong token on V3 failed with ${v3 && v3.code} ${v3 && v3.responseBody}`);
}

// checkRateLimit meets the two 429s of GET /v2/store: the library surfaces
// the first, and waits out the second on its own.
async function checkRateLimit(cfg) {
  const err = await refusal(() => client(cfg, 'v2').get('/store'));
  expect(err && /rate limit/.test(err.message) && err.retryAfter === 1,
    `a 429 surfaced as ${err && err.message} (retryAfter ${err && err.retryAfter})`);

  const began = Date.now();
  const store = await client(cfg, 'v2', { failOnLimitReached: false }).get('/store');
  expect(Date.now() - began >= 900, `the library waited ${Date.now() - began}ms, want 1s`);
  expect(store.id === cfg.storeHash && /^[A-Z]{3}$/.test(store.currency),
    `store = ${JSON.stringify(store)}`);
}

// checkOrders pages through the orders two at a time until the 204 that ends
// the listing, and returns them.
async function checkOrders(cfg) {
  const v2 = client(cfg, 'v2');
  const since = encodeURIComponent('Thu, 01 Jan 2015 00:00:00 +0000');
  const orders = [];
  for (let page = 1; page < 100; page += 1) {
    const got = await v2.get(`/orders?min_date_modified=${since}&sort=date_modified:asc` +
      `&limit=2&page=${page}`);
    if (got === '') {
      break;
    }
    expect(Array.isArray(got) && got.length <= 2, `page ${page} = ${JSON.stringify(got)}`);
    orders.push(...got);
  }
  expect(orders.length === cfg.orders, `listed ${orders.length} orders, want ${cfg.orders}`);
  for (let i = 1; i < orders.length; i += 1) {
    expect(Date.parse(orders[i - 1].date_modified) <= Date.parse(orders[i].date_modified),
      `orders out of date_modified order at ${i}`);
  }

  const o = await v2.get(`/orders/${orders[0].id}`);
  expect(/^\d+\.\d{4}$/.test(o.total_inc_tax) && /\+0000$/.test(o.date_created) &&
    o.billing_address && o.billing_address.email && o.currency_code,
    `order = ${JSON.stringify(o)}`);
  const lines = await v2.get(`/orders/${o.id}/products`);
  expect(Array.isArray(lines) && lines.length > 0 && lines[0].sku && lines[0].quantity > 0 &&
    /^\d+\.\d{4}$/.test(lines[0].price_ex_tax), `products = ${JSON.stringify(lines)}`);
  const addrs = await v2.get(`/orders/${o.id}/shipping_addresses`);
  expect(Array.isArray(addrs) && addrs[0].order_id === o.id,
    `shipping addresses = ${JSON.stringify(addrs)}`);
  return orders;
}

// listen serves callbacks on loopback and returns its URL and the callbacks
// received, with their raw bodies.
function listen() {
  const received = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => { raw += chunk; });
    req.on('end', () => {
      received.push({ headers: req.headers, raw });
      res.writeHead(200);
      res.end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, received, url: `http://127.0.0.1:${server.address().port}/hooks` });
    });
  });
}

async function checkHookAndMetafields(cfg, orderID) {
  const v3 = client(cfg, 'v3');
  const hooks = await listen();
  const hook = await v3.post('/hooks', { scope: 'store/order/updated', destination: hooks.url,
    is_active: true, headers: { 'X-Check-Secret': 'check-secret' } });
  expect(hook.data && hook.data.id > 0 && hook.data.is_active &&
    hook.data.headers['X-Check-Secret'] === 'check-secret', `hook = ${JSON.stringify(hook)}`);

  const path = `/orders/${orderID}/metafields`;
  const created = await v3.post(path, { permission_set: 'app_only', namespace: 'erp',
    key: 'sales_order_id', value: 'SO-1' });
  expect(created.data && created.data.id > 0 && created.data.value === 'SO-1',
    `created metafield = ${JSON.stringify(created)}`);
  const again = await refusal(() => v3.post(path, { permission_set: 'app_only',
    namespace: 'erp', key: 'sales_order_id', value: 'SO-1' }));
  expect(again && again.code === 409, `a second create failed with ${again && again.code}`);
  const found = await v3.get(`${path}?namespace=erp&key=sales_order_id`);
  expect(found.data.length === 1 && found.meta.pagination.total === 1,
    `found metafields = ${JSON.stringify(found)}`);
  const updated = await v3.put(`${path}/${created.data.id}`, { permission_set: 'app_only',
    namespace: 'erp', key: 'sales_order_id', value: 'SO-2' });
  expect(updated.data.value === 'SO-2', `updated metafield = ${JSON.stringify(updated)}`);

  await checkCallbacks(cfg, hooks, orderID);
  hooks.server.close();
}

// checkCallbacks waits for the callbacks of the metafield writes and verifies
// their custom header and Standard Webhooks signature.
async function checkCallbacks(cfg, hooks, orderID) {
  for (let i = 0; i < 100 && hooks.received.length < 2; i += 1) {
    await new Promise((resolve) => { setTimeout(resolve, 50); });
  }
  expect(hooks.received.length === 2, `${hooks.received.length} callbacks, want 2`);

  const wh = new Webhook(Buffer.from(cfg.clientSecret).toString('base64'));
  for (const cb of hooks.received) {
    let payload = null;
    try {
      payload = wh.verify(cb.raw, cb.headers);
    } catch (err) {
      failures.push(`callback signature: ${err.message}`);
      continue;
    }
    expect(cb.headers['x-check-secret'] === 'check-secret', 'callback lacks its custom header');
    expect(payload.scope === 'store/order/updated' && payload.data.type === 'order' &&
      payload.data.id === orderID && payload.producer === `stores/${cfg.storeHash}` &&
      /^[0-9a-f]{40}$/.test(payload.hash) && payload.created_at > 0,
    `callback = ${cb.raw}`);
  }
}

async function checkInventory(cfg) {
  const v3 = client(cfg, 'v3');
  const locations = await v3.get('/inventory/locations');
  const east = locations.data.find((l) => l.code === 'WH-EAST');
  expect(east && east.id > 0, `locations = ${JSON.stringify(locations)}`);

  const adjusted = await v3.put('/inventory/adjustments/absolute', { reason: 'client check',
    items: [{ location_id: east.id, sku: 'CHECK-1', quantity: 7 }] });
  expect(typeof adjusted.transaction_id === 'string', `adjustment = ${JSON.stringify(adjusted)}`);
  const items = await v3.get(`/inventory/items?sku:in=CHECK-1&location_id:in=${east.id}`);
  const at = items.data[0] && items.data[0].locations[0];
  expect(at && at.available_to_sell === 7 && at.total_inventory_onhand === 7,
    `items = ${JSON.stringify(items)}`);

  const bad = await refusal(() => v3.put('/inventory/adjustments/absolute', {
    reason: 'client check', items: [{ location_id: east.id, sku: 'NO-SUCH-SKU', quantity: 1 }],
  }));
  const errs = bad && body(bad);
  expect(bad && bad.code === 422 && errs && errs.errors['items.0.sku'],
    `an unknown SKU failed with ${bad && bad.code} ${bad && bad.responseBody}`);
}

async function checkVariants(cfg) {
  const v3 = client(cfg, 'v3');
  const got = await v3.get('/catalog/variants?sku:in=CHECK-1,CHECK-2');
  expect(got.data.length === 2, `variants = ${JSON.stringify(got)}`);
  const one = got.data.find((v) => v.sku === 'CHECK-1');

  const put = await v3.put('/catalog/variants', [{ id: one.id, price: 21.5 }]);
  expect(put.data[0].id === one.id && put.data[0].price === 21.5,
    `updated variants = ${JSON.stringify(put)}`);
}

// checkDraft creates a hidden product and finds it among the variants.
async function checkDraft(cfg) {
  const v3 = client(cfg, 'v3');
  const made = await v3.post('/catalog/products', { name: 'Check draft', type: 'physical',
    weight: 0, price: 12.5, sku: 'CHECK-DRAFT', is_visible: false });
  expect(made.data && made.data.id > 0 && made.data.is_visible === false &&
    made.data.price === 12.5, `draft = ${JSON.stringify(made)}`);
  const again = await refusal(() => v3.post('/catalog/products', { name: 'Check draft 2',
    type: 'physical', weight: 0, price: 1, sku: 'CHECK-DRAFT' }));
  expect(again && again.code === 409, `a second CHECK-DRAFT failed with ${again && again.code}`);
  const found = await v3.get('/catalog/variants?sku:in=CHECK-DRAFT');
  expect(found.data.length === 1 && found.data[0].product_id === made.data.id,
    `draft variants = ${JSON.stringify(found)}`);
}

// checkCustomer reads the customer of check@example.com, renames it, gives
// it an address and a metafield, and reads them back.
async function checkCustomer(cfg) {
  const v3 = client(cfg, 'v3');
  const got = await v3.get('/customers?email:in=CHECK@example.com&include=addresses');
  const c = got.data && got.data[0];
  expect(c && c.email === 'check@example.com' && /Z$|\+00:00$/.test(c.date_modified),
    `customers = ${JSON.stringify(got)}`);
  if (!c) {
    return;
  }

  const put = await v3.put('/customers', [{ id: c.id, first_name: 'Checked', phone: '555' }]);
  expect(put.data[0].first_name === 'Checked' && put.data[0].phone === '555',
    `updated customers = ${JSON.stringify(put)}`);
  const addr = await v3.post('/customers/addresses', [{ customer_id: c.id, first_name: 'Checked',
    last_name: 'Client', address1: '1 Check Street', city: 'Austin', state_or_province: 'Texas',
    postal_code: '78759', country_code: 'US' }]);
  expect(addr.data.length === 1 && addr.data[0].customer_id === c.id,
    `created addresses = ${JSON.stringify(addr)}`);

  // The batch metafield endpoints answer "errors": [] on success, which
  // node-bigcommerce takes for a failure; an application using the library
  // writes a customer's metafields one at a time.
  const path = `/customers/${c.id}/metafields`;
  const meta = await v3.post(path, { permission_set: 'app_only', namespace: 'erpsync',
    key: 'payment_terms', value: 'NET30' });
  expect(meta.data && meta.data.resource_type === 'customer' &&
    meta.data.resource_id === c.id, `created customer metafield = ${JSON.stringify(meta)}`);
  const again = await refusal(() => v3.post(path, { permission_set: 'app_only',
    namespace: 'erpsync', key: 'payment_terms', value: 'NET30' }));
  expect(again && again.code === 409, `a second create failed with ${again && again.code}`);
  const updated = await v3.put(`${path}/${meta.data.id}`, { value: 'NET60' });
  expect(updated.data.value === 'NET60', `updated metafield = ${JSON.stringify(updated)}`);
  const read = await v3.get(`/customers/${c.id}/metafields?namespace=erpsync`);
  expect(read.data.length === 1 && read.data[0].key === 'payment_terms' &&
    read.data[0].value === 'NET60', `customer metafields = ${JSON.stringify(read)}`);
}

// checkShipmentAndCancel ships one unit of the first order's first product,
// cancels the second order, and reads both orders' refunds.
async function checkShipmentAndCancel(cfg, orders) {
  const v2 = client(cfg, 'v2');
  const v3 = client(cfg, 'v3');
  const [first, second] = orders;
  const lines = await v2.get(`/orders/${first.id}/products`);
  const made = await v2.post(`/orders/${first.id}/shipments`, {
    order_address_id: lines[0].order_address_id, tracking_number: 'CHECK-TRACK',
    tracking_carrier: 'ups', comments: 'erpsync shipment CHECK-SHIP',
    items: [{ order_product_id: lines[0].id, quantity: 1 }] });
  expect(made.id > 0 && made.order_id === first.id && made.items[0].quantity === 1 &&
    made.comments === 'erpsync shipment CHECK-SHIP', `shipment = ${JSON.stringify(made)}`);
  const shipments = await v2.get(`/orders/${first.id}/shipments`);
  expect(Array.isArray(shipments) && shipments.length === 1 && shipments[0].id === made.id,
    `shipments = ${JSON.stringify(shipments)}`);
  const shipped = await v2.get(`/orders/${first.id}`);
  expect([2, 3].includes(shipped.status_id), `status after the shipment ${shipped.status_id}`);

  const cancelled = await v2.put(`/orders/${second.id}`, { status_id: 5,
    staff_notes: 'cancelled by the client check' });
  expect(cancelled.status_id === 5 && cancelled.status === 'Cancelled' &&
    cancelled.staff_notes === 'cancelled by the client check',
  `cancelled order = ${JSON.stringify(cancelled)}`);
  const none = await v2.get(`/orders/${second.id}/shipments`);
  expect(none === '', `shipments of an unshipped order = ${JSON.stringify(none)}`);
  const refunds = await v3.get(`/orders/${second.id}/payment_actions/refunds`);
  expect(Array.isArray(refunds.data) && refunds.data.length === 0,
    `refunds = ${JSON.stringify(refunds)}`);
}

async function main() {
  const cfg = config();
  await checkBadToken(cfg);
  await checkRateLimit(cfg);
  const orders = await checkOrders(cfg);
  await checkHookAndMetafields(cfg, orders[0].id);
  await checkInventory(cfg);
  await checkVariants(cfg);
  await checkDraft(cfg);
  await checkCustomer(cfg);
  await checkShipmentAndCancel(cfg, orders);

  if (failures.length > 0) {
    console.error(`node-bigcommerce against the sandbox: ${failures.length} failures`);
    for (const f of failures) {
      console.error(` - ${f}`);
    }
    process.exit(1);
  }
  console.log('node-bigcommerce 4.1.0 and standardwebhooks 1.3.0 work with the sandbox');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
