// check.js drives a WooCommerce REST API v3 endpoint (the erpsync sandbox,
// or a real store) through WooCommerce's own JavaScript client,
// @woocommerce/woocommerce-rest-api, exactly as an application would: over
// plain http the client signs every request with OAuth 1.0a (HMAC-SHA256),
// over https it sends the key with HTTP basic authentication, or in the
// query string. It exits non-zero on the first failed call or any mismatch.
//
// Environment: WOO_HTTP_URL and WOO_HTTPS_URL (the site URLs, before
// /wp-json, of one store served both ways), WOO_CONSUMER_KEY,
// WOO_CONSUMER_SECRET, WOO_ORDERS (how many orders the store holds, at
// least three, each of two CHECK-1). The store must sell CHECK-1 (regular
// price 19.99) and CHECK-2 (on sale) but not CHECK-DRAFT, have a customer
// check1@example.test, and let the check receive webhooks on 127.0.0.1.
'use strict';

const crypto = require('node:crypto');
const http = require('node:http');
const WooCommerceRestApi = require('@woocommerce/woocommerce-rest-api').default;

const failures = [];

function expect(ok, what) {
  if (!ok) {
    failures.push(what);
  }
}

function config() {
  const names = ['WOO_HTTP_URL', 'WOO_HTTPS_URL', 'WOO_CONSUMER_KEY', 'WOO_CONSUMER_SECRET',
    'WOO_ORDERS'];
  const missing = names.filter((k) => !process.env[k]);
  if (missing.length > 0) {
    throw new Error(`missing environment: ${missing.join(', ')}`);
  }
  return {
    httpURL: process.env.WOO_HTTP_URL,
    httpsURL: process.env.WOO_HTTPS_URL,
    key: process.env.WOO_CONSUMER_KEY,
    secret: process.env.WOO_CONSUMER_SECRET,
    orders: Number(process.env.WOO_ORDERS),
  };
}

function client(url, cfg, options = {}) {
  return new WooCommerceRestApi({
    url, consumerKey: cfg.key, consumerSecret: options.secret || cfg.secret, version: 'wc/v3',
    queryStringAuth: options.queryStringAuth || false,
  });
}

// refusal runs call, which must fail, and returns the HTTP status and
// WooCommerce's error body that the client surfaced.
async function refusal(call) {
  try {
    await call();
  } catch (err) {
    if (err && err.response) {
      return { status: err.response.status, data: err.response.data || {} };
    }
    throw err;
  }
  return { status: 0, data: {} };
}

// listOrders pages through the orders changed since 2000 by the Link
// header, and returns their ids.
async function listOrders(api, cfg) {
  const ids = [];
  for (let page = 1; page < 100; page++) {
    const res = await api.get('orders', {
      per_page: 2, page, orderby: 'modified', order: 'asc',
      modified_after: '2000-01-01T00:00:00', dates_are_gmt: true,
    });
    expect(res.headers['x-wp-total'] === String(cfg.orders),
      `X-WP-Total ${res.headers['x-wp-total']}, want ${cfg.orders}`);
    expect(res.headers['x-wp-totalpages'] === String(Math.ceil(cfg.orders / 2)),
      `X-WP-TotalPages ${res.headers['x-wp-totalpages']}`);
    for (const o of res.data) {
      ids.push(o.id);
    }
    if (!/rel="next"/.test(res.headers.link || '')) {
      return ids;
    }
  }
  throw new Error('the Link header never stopped pointing to a next page');
}

async function checkOrders(api, cfg) {
  const ids = await listOrders(api, cfg);
  ids.sort((a, b) => a - b);
  expect(ids.length === cfg.orders && new Set(ids).size === cfg.orders,
    `listed orders ${ids}, want ${cfg.orders} distinct`);

  const { data: order } = await api.get(`orders/${ids[0]}`);
  expect(order.id === ids[0] && /^\d+$/.test(order.number) && order.currency === 'EUR',
    `order ${JSON.stringify(order).slice(0, 200)}`);
  expect(order.line_items.length > 0 && order.line_items[0].sku !== undefined &&
    /^\d+\.\d{2}$/.test(order.total) && order.billing.email.includes('@'),
  'order lacks line items, a decimal total or a billing e-mail');

  for (const value of ['SO-CHECK-1', 'SO-CHECK-1', 'SO-CHECK-2']) {
    const { data } = await api.put(`orders/${ids[0]}`,
      { meta_data: [{ key: 'erp_sales_order_id', value }] });
    const entries = data.meta_data.filter((m) => m.key === 'erp_sales_order_id');
    expect(entries.length === 1 && entries[0].value === value,
      `meta after writing ${value}: ${JSON.stringify(data.meta_data)}`);
  }

  const tooMany = await refusal(() => api.get('orders', { per_page: 101 }));
  expect(tooMany.status === 400 && tooMany.data.code === 'rest_invalid_param',
    `per_page 101 answered ${tooMany.status} ${JSON.stringify(tooMany.data)}`);
  return ids;
}

async function checkProducts(api) {
  const { data: found } = await api.get('products', { sku: 'CHECK-1,CHECK-2', per_page: 100 });
  const bySKU = Object.fromEntries(found.map((p) => [p.sku, p]));
  expect(found.length === 2 && bySKU['CHECK-2'].sale_price !== '' &&
    bySKU['CHECK-1'].regular_price === '19.99',
  `products by sku: ${JSON.stringify(found).slice(0, 300)}`);

  const { data: batch } = await api.post('products/batch', {
    update: [
      { id: bySKU['CHECK-1'].id, manage_stock: true, stock_quantity: 7, regular_price: '21.50' },
      { id: 999999, stock_quantity: 1 },
    ],
  });
  expect(batch.update.length === 2 && batch.update[0].stock_quantity === 7 &&
    batch.update[0].regular_price === '21.50',
  `batch updated ${JSON.stringify(batch.update[0]).slice(0, 200)}`);
  expect(batch.update[1].id === 999999 &&
    batch.update[1].error.code === 'woocommerce_rest_product_invalid_id',
  `batch item of an unknown product: ${JSON.stringify(batch.update[1])}`);

  const update = Array.from({ length: 101 }, () => ({ id: bySKU['CHECK-1'].id }));
  const big = await refusal(() => api.post('products/batch', { update }));
  expect(big.status === 413 && big.data.code === 'woocommerce_rest_request_entity_too_large',
    `a batch of 101 answered ${big.status} ${JSON.stringify(big.data)}`);
}

async function checkRefusals(cfg) {
  const signed = await refusal(() => client(cfg.httpURL, cfg, { secret: 'cs_wrong' })
    .get('orders'));
  expect(signed.status === 401 && signed.data.code === 'woocommerce_rest_authentication_error' &&
    signed.data.message === 'Invalid signature - provided signature does not match.',
  `a wrong secret over http answered ${signed.status} ${JSON.stringify(signed.data)}`);

  const basic = await refusal(() => client(cfg.httpsURL, cfg, { secret: 'cs_wrong' })
    .get('orders'));
  expect(basic.status === 401 && basic.data.code === 'woocommerce_rest_authentication_error' &&
    basic.data.message === 'Consumer secret is invalid.',
  `a wrong secret over https answered ${basic.status} ${JSON.stringify(basic.data)}`);
}

async function checkHTTPS(cfg, orderID) {
  const api = client(cfg.httpsURL, cfg);
  const { data: orders } = await api.get('orders', { per_page: 100 });
  expect(orders.length === cfg.orders, `https listed ${orders.length} orders`);

  const inQuery = client(cfg.httpsURL, cfg, { queryStringAuth: true });
  const { data: order } = await inQuery.get(`orders/${orderID}`);
  expect(order.id === orderID, `https with the key in the query read order ${order.id}`);
}

async function checkCustomers(api) {
  const { data: found } = await api.get('customers', { email: 'CHECK1@example.test', role: 'all' });
  expect(found.length === 1 && found[0].email === 'check1@example.test',
    `customers by e-mail: ${JSON.stringify(found).slice(0, 200)}`);
  const id = found[0].id;

  const { data: updated } = await api.put(`customers/${id}`, {
    first_name: 'Clara', billing: { city: 'Porto', phone: '+351 3' },
    meta_data: [{ key: 'erpsync_credit_limit', value: '100000' },
      { key: 'erpsync_payment_terms', value: 'NET30' }],
  });
  const meta = Object.fromEntries(updated.meta_data.map((m) => [m.key, m.value]));
  expect(updated.first_name === 'Clara' && updated.billing.city === 'Porto' &&
    meta.erpsync_credit_limit === '100000' && meta.erpsync_payment_terms === 'NET30',
  `customer after update: ${JSON.stringify(updated).slice(0, 300)}`);

  const { data: cleared } = await api.put(`customers/${id}`,
    { meta_data: [{ key: 'erpsync_payment_terms', value: null }] });
  expect(cleared.meta_data.length === 1 && cleared.meta_data[0].key === 'erpsync_credit_limit',
    `customer meta after deleting a key: ${JSON.stringify(cleared.meta_data)}`);
  const { data: read } = await api.get(`customers/${id}`);
  expect(read.date_modified_gmt && read.meta_data.length === 1, 'customer read back');

  const missing = await refusal(() => api.get('customers/999999'));
  expect(missing.status === 404 && missing.data.code === 'woocommerce_rest_invalid_id',
    `an unknown customer answered ${missing.status} ${JSON.stringify(missing.data)}`);
}

async function checkDrafts(api) {
  const draft = { name: 'Check draft', sku: 'CHECK-DRAFT', regular_price: '9.99', status: 'draft' };
  const { data: first } = await api.post('products/batch', { create: [draft] });
  expect(first.create.length === 1 && first.create[0].status === 'draft' &&
    first.create[0].sku === 'CHECK-DRAFT' && first.create[0].regular_price === '9.99',
  `draft created: ${JSON.stringify(first.create).slice(0, 200)}`);

  const { data: again } = await api.post('products/batch', { create: [draft] });
  expect(again.create[0].id === 0 && again.create[0].error.code === 'product_invalid_sku',
    `a draft created twice: ${JSON.stringify(again.create)}`);
}

async function checkShipAndCancel(api, ids) {
  const shipment = [{ id: 'CHECK-SHIP-1', carrier: 'DHL', tracking_number: 'JD1',
    lines: [{ sku: 'CHECK-1', quantity: 2 }] }];
  const { data: shipped } = await api.put(`orders/${ids[1]}`, {
    meta_data: [{ key: '_erpsync_shipments', value: JSON.stringify(shipment) }],
    status: 'completed',
  });
  expect(shipped.status === 'completed' &&
    shipped.meta_data.some((m) => m.key === '_erpsync_shipments'),
  `order after shipping: ${shipped.status} ${JSON.stringify(shipped.meta_data)}`);

  const { status, data: note } = await api.post(`orders/${ids[1]}/notes`,
    { note: 'Shipment CHECK-SHIP-1 shipped with DHL, tracking number JD1.' });
  expect(status === 201 && note.id > 0 && note.customer_note === false,
    `note created: ${status} ${JSON.stringify(note)}`);
  const { data: notes } = await api.get(`orders/${ids[1]}/notes`, { type: 'internal' });
  expect(notes.length === 1 && notes[0].note.includes('JD1'), `notes ${JSON.stringify(notes)}`);

  for (let i = 0; i < 2; i++) {
    const { data: cancelled } = await api.put(`orders/${ids[2]}`, { status: 'cancelled' });
    expect(cancelled.status === 'cancelled', `order after cancelling: ${cancelled.status}`);
  }
  const { data: refunds } = await api.get(`orders/${ids[2]}/refunds`);
  expect(Array.isArray(refunds) && refunds.length === 0, `refunds ${JSON.stringify(refunds)}`);
}

// receive serves webhooks on 127.0.0.1 and returns its URL and the
// deliveries so far, with their raw bodies.
function receive() {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.end('ok');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${server.address().port}/hook`, got, server,
    }));
  });
}

async function waitFor(cond, what) {
  for (let i = 0; i < 100; i++) {
    if (cond()) {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function checkWebhooks(api, orderID) {
  const hooks = await receive();
  const secret = 'check-hook-secret';
  try {
    const { status, data: hook } = await api.post('webhooks', {
      name: 'clientcheck', topic: 'order.updated', delivery_url: hooks.url, secret,
    });
    expect(status === 201 && hook.status === 'active' && hook.resource === 'order',
      `webhook created: ${status} ${JSON.stringify(hook)}`);

    await waitFor(() => hooks.got.length >= 1, 'the ping');
    const ping = hooks.got[0];
    expect(ping.body.toString() === `webhook_id=${hook.id}` &&
      !ping.headers['x-wc-webhook-signature'] &&
      /^WooCommerce\/\S+ Hookshot \(WordPress\/\S+\)$/.test(ping.headers['user-agent']),
    `ping ${ping.body} ${JSON.stringify(ping.headers)}`);

    await api.put(`orders/${orderID}`,
      { meta_data: [{ key: 'erp_sales_order_id', value: 'SO-CHECK-3' }] });
    await waitFor(() => hooks.got.length >= 2, 'the delivery of the order update');
    const d = hooks.got[1];
    const want = crypto.createHmac('sha256', secret).update(d.body).digest('base64');
    const body = JSON.parse(d.body.toString());
    expect(d.headers['x-wc-webhook-signature'] === want,
      'the delivery signature is not the HMAC-SHA256 of its body');
    expect(d.headers['x-wc-webhook-topic'] === 'order.updated' &&
      d.headers['x-wc-webhook-resource'] === 'order' &&
      d.headers['x-wc-webhook-event'] === 'updated' &&
      d.headers['x-wc-webhook-id'] === String(hook.id) &&
      d.headers['x-wc-webhook-delivery-id'],
    `delivery headers ${JSON.stringify(d.headers)}`);
    expect(body.id === orderID &&
      body.meta_data.some((m) => m.key === 'erp_sales_order_id' && m.value === 'SO-CHECK-3'),
    `delivered order ${JSON.stringify(body).slice(0, 200)}`);
  } finally {
    hooks.server.close();
  }
}

async function main() {
  const cfg = config();
  const api = client(cfg.httpURL, cfg);

  const ids = await checkOrders(api, cfg);
  const orderID = ids[0];
  await checkProducts(api);
  await checkCustomers(api);
  await checkDrafts(api);
  await checkShipAndCancel(api, ids);
  await checkRefusals(cfg);
  await checkHTTPS(cfg, orderID);
  await checkWebhooks(api, orderID);

  if (failures.length > 0) {
    console.error(`${failures.length} checks failed:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`woocommerce client check passed: ${cfg.orders} orders listed over OAuth 1.0a, ` +
    'order meta written by key, stock and price batched, customer meta written and deleted, ' +
    'a draft created once, a shipment and a cancellation recorded, refusals surfaced, https ' +
    'with basic and query authentication, ping and signed delivery received');
}

main().catch((err) => {
  const detail = err && err.response ?
    ` ${err.response.status} ${JSON.stringify(err.response.data)}` : '';
  console.error(`woocommerce client check failed: ${err && err.message}${detail}`);
  process.exit(1);
});
