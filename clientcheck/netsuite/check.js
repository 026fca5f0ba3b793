// check.js drives a NetSuite account (the erpsync sandbox, or a real one)
// through netsuite-rest, a widely used SuiteTalk REST client that signs with
// token-based authentication, exactly as an application would, and exits
// non-zero on the first failed call or on any mismatch.
//
// Environment: NETSUITE_URL (the host base, such as http://127.0.0.1:8070),
// NETSUITE_ACCOUNT, NETSUITE_CONSUMER_KEY, NETSUITE_CONSUMER_SECRET,
// NETSUITE_TOKEN_ID, NETSUITE_TOKEN_SECRET. The account must hold the items
// CHECK-1 (base price 19.99) and CHECK-2 (base price 0.10) in USD, the
// discount item DISCOUNT, the terms NET30 and the price level WHOLESALE,
// and a sales order with otherRefNum clientcheck:shipped that has an item
// fulfillment.
'use strict';

const NsApiWrapper = require('netsuite-rest');

const failures = [];

function expect(ok, what) {
  if (!ok) {
    failures.push(what);
  }
}

function config() {
  const names = ['NETSUITE_URL', 'NETSUITE_ACCOUNT', 'NETSUITE_CONSUMER_KEY',
    'NETSUITE_CONSUMER_SECRET', 'NETSUITE_TOKEN_ID', 'NETSUITE_TOKEN_SECRET'];
  const missing = names.filter((k) => !process.env[k]);
  if (missing.length > 0) {
    throw new Error(`missing environment: ${missing.join(', ')}`);
  }
  return {
    consumer_key: process.env.NETSUITE_CONSUMER_KEY,
    consumer_secret_key: process.env.NETSUITE_CONSUMER_SECRET,
    token: process.env.NETSUITE_TOKEN_ID,
    token_secret: process.env.NETSUITE_TOKEN_SECRET,
    realm: process.env.NETSUITE_ACCOUNT,
    base_url: process.env.NETSUITE_URL.replace(/\/+$/, ''),
  };
}

// header reads a response header. The library's responses are copies of
// Node's, which keeps parsed headers behind a getter, so rawHeaders is read
// when headers is missing.
function header(res, name) {
  if (res.headers) {
    return res.headers[name.toLowerCase()];
  }
  const raw = res.rawHeaders || [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i].toLowerCase() === name.toLowerCase()) {
      return raw[i + 1];
    }
  }
  return undefined;
}

async function suiteql(ns, q, limit, offset) {
  const res = await ns.request({
    path: `query/v1/suiteql?limit=${limit}&offset=${offset}`,
    method: 'POST',
    body: JSON.stringify({ q }),
  });
  return res.data;
}

async function checkItems(ns) {
  const q = "SELECT id, itemid, baseprice FROM item WHERE itemid IN ('CHECK-1', 'CHECK-2') " +
    'ORDER BY itemid';
  const first = await suiteql(ns, q, 1, 0);
  expect(first.count === 1 && first.hasMore === true && first.totalResults === 2,
    `suiteql page 1: ${JSON.stringify(first)}`);
  const second = await suiteql(ns, q, 1, 1);
  expect(second.count === 1 && second.hasMore === false,
    `suiteql page 2: ${JSON.stringify(second)}`);

  const items = [...first.items, ...second.items];
  expect(items.length === 2 && items[0].itemid === 'CHECK-1' && items[0].baseprice === '19.99' &&
    items[1].itemid === 'CHECK-2' && items[1].baseprice === '0.10',
  `items read as ${JSON.stringify(items)}`);
  return items;
}

// namedId finds the internal id of the row of table (term, pricelevel,
// item) whose name column is name.
async function namedId(ns, table, column, name) {
  const page = await suiteql(ns, `SELECT id FROM ${table} WHERE ${column} = '${name}'`, 1, 0);
  expect(page.count === 1, `${table} ${name}: ${JSON.stringify(page)}`);
  return page.items.length > 0 ? page.items[0].id : '0';
}

async function upsertCustomer(ns) {
  const termId = await namedId(ns, 'term', 'name', 'NET30');
  const levelId = await namedId(ns, 'pricelevel', 'name', 'WHOLESALE');
  const res = await ns.request({
    path: 'record/v1/customer/eid:clientcheck-customer',
    method: 'PUT',
    body: JSON.stringify({ companyName: 'Client Check', email: 'check@example.com',
      isPerson: false, creditLimit: 2500.5, terms: { id: termId },
      priceLevel: { id: levelId } }),
  });
  expect(res.statusCode === 204, `customer upsert answered ${res.statusCode}`);
  const id = String(header(res, 'Location') || '').split('/').pop();
  expect(/^\d+$/.test(id), `customer upsert Location ${header(res, 'Location')}`);

  const customer = (await ns.request({ path: `record/v1/customer/${id}` })).data;
  expect(customer.creditLimit === 2500.5, `customer creditLimit ${customer.creditLimit}`);
  expect(customer.terms && customer.terms.id === termId && customer.terms.refName === 'NET30',
    `customer terms ${JSON.stringify(customer.terms)}`);
  expect(customer.priceLevel && customer.priceLevel.refName === 'WHOLESALE',
    `customer priceLevel ${JSON.stringify(customer.priceLevel)}`);

  const bad = await status(ns.request({ path: `record/v1/customer/${id}`, method: 'PATCH',
    body: JSON.stringify({ terms: { id: '999' } }) }));
  expect(bad.code === 400 && errorCode(bad.body) === 'INVALID_KEY_OR_REF' &&
    bad.body['o:errorDetails'][0]['o:errorPath'] === 'terms',
  `customer with a bad term answered ${bad.code} ${JSON.stringify(bad.body)}`);
  return id;
}

async function upsertOrder(ns, customerId, items) {
  const body = JSON.stringify({
    entity: { id: customerId },
    otherRefNum: 'clientcheck:1',
    orderStatus: { id: 'B' },
    item: { items: [
      { item: { id: items[0].id }, quantity: 2, rate: 19.99, description: 'Check one' },
      { item: { id: items[1].id }, quantity: 3, rate: 0.1 },
    ] },
  });
  const locations = [];
  for (let i = 0; i < 2; i += 1) {
    const res = await ns.request({ path: 'record/v1/salesOrder/eid:clientcheck-1',
      method: 'PUT', body });
    expect(res.statusCode === 204, `sales order upsert ${i + 1} answered ${res.statusCode}`);
    locations.push(header(res, 'Location'));
  }
  expect(locations[0] && locations[0] === locations[1],
    `two upserts of one external id gave ${JSON.stringify(locations)}`);

  const res = await ns.request({
    path: 'record/v1/salesOrder/eid:clientcheck-1?expandSubResources=true' });
  const order = res.data;
  expect(/^S\d{5}$/.test(order.tranId), `order tranId ${order.tranId}`);
  expect(order.externalId === 'clientcheck-1', `order externalId ${order.externalId}`);
  expect(order.orderStatus && order.orderStatus.id === 'B',
    `order status ${JSON.stringify(order.orderStatus)}`);
  expect(order.entity && order.entity.id === customerId, `order entity ${JSON.stringify(order.entity)}`);
  expect(order.total === 40.28, `order total ${order.total}, want 40.28`);
  expect(order.item && order.item.items && order.item.items.length === 2,
    `order lines ${JSON.stringify(order.item)}`);
  return order.id;
}

// creditMemo books a refund of one CHECK-1 against the order, twice by one
// external id, and reads it back.
async function creditMemo(ns, orderId, customerId, items) {
  const body = JSON.stringify({
    createdFrom: { id: orderId }, entity: { id: customerId }, otherRefNum: 'clientcheck:1:r1',
    memo: 'damaged', item: { items: [{ item: { id: items[0].id }, quantity: 1, rate: 19.99 }] },
  });
  const locations = [];
  for (let i = 0; i < 2; i += 1) {
    const res = await ns.request({ path: 'record/v1/creditMemo/eid:clientcheck-r1',
      method: 'PUT', body });
    expect(res.statusCode === 204, `credit memo upsert ${i + 1} answered ${res.statusCode}`);
    locations.push(header(res, 'Location'));
  }
  expect(locations[0] && locations[0] === locations[1],
    `two credit memo upserts gave ${JSON.stringify(locations)}`);

  const memo = (await ns.request({ path: 'record/v1/creditMemo/eid:clientcheck-r1' })).data;
  expect(memo.tranId && memo.total === 19.99 && memo.createdFrom &&
    memo.createdFrom.id === orderId && memo.externalId === 'clientcheck-r1',
  `credit memo ${JSON.stringify(memo)}`);
}

// closeOrder books an order with a discount line, checks its total, then
// closes every line twice: the second time changes nothing.
async function closeOrder(ns, customerId, items) {
  const discountId = await namedId(ns, 'item', 'itemid', 'DISCOUNT');
  const res = await ns.request({ path: 'record/v1/salesOrder/eid:clientcheck-3', method: 'PUT',
    body: JSON.stringify({ entity: { id: customerId }, otherRefNum: 'clientcheck:3',
      orderStatus: { id: 'B' }, item: { items: [
        { item: { id: items[0].id }, quantity: 1, rate: 19.99 },
        { item: { id: discountId }, rate: -2 },
      ] } }) });
  const id = String(header(res, 'Location') || '').split('/').pop();
  const path = `record/v1/salesOrder/${id}`;
  const order = (await ns.request({ path: `${path}?expandSubResources=true` })).data;
  expect(order.total === 17.99, `order with a discount: total ${order.total}, want 17.99`);

  const lines = (order.item && order.item.items) || [];
  const close = JSON.stringify({ memo: 'cancelled in the store',
    item: { items: lines.map((l) => ({ line: l.line, isClosed: true })) } });
  for (let i = 0; i < 2; i += 1) {
    const closed = await ns.request({ path, method: 'PATCH', body: close });
    expect(closed.statusCode === 204, `close ${i + 1} answered ${closed.statusCode}`);
  }
  const after = (await ns.request({ path: `${path}?expandSubResources=true` })).data;
  expect(after.orderStatus && after.orderStatus.id === 'H' &&
    after.memo === 'cancelled in the store' && after.item.items.every((l) => l.isClosed === true),
  `closed order ${JSON.stringify(after)}`);
}

// closeShipped tries to close the lines of the order that has shipped.
async function closeShipped(ns) {
  const page = await suiteql(ns, "SELECT id FROM transaction WHERE type = 'SalesOrd' " +
    "AND otherrefnum = 'clientcheck:shipped'", 1, 0);
  expect(page.count === 1, `shipped order: ${JSON.stringify(page)}`);
  if (page.count !== 1) {
    return;
  }
  const path = `record/v1/salesOrder/${page.items[0].id}`;
  const order = (await ns.request({ path: `${path}?expandSubResources=true` })).data;
  const refused = await status(ns.request({ path, method: 'PATCH', body: JSON.stringify({
    item: { items: order.item.items.map((l) => ({ line: l.line, isClosed: true })) } }) }));
  expect(refused.code === 400 && errorCode(refused.body) === 'USER_ERROR',
    `closing a shipped order answered ${refused.code} ${JSON.stringify(refused.body)}`);
}

async function status(promise) {
  try {
    await promise;
    return { code: 200, body: null };
  } catch (err) {
    const res = err && err.response;
    return { code: res ? res.statusCode : 0, body: res && res.body ? JSON.parse(res.body) : null };
  }
}

function errorCode(body) {
  return body && body['o:errorDetails'] && body['o:errorDetails'][0]['o:errorCode'];
}

async function checkErrors(ns, cfg) {
  const missing = await status(ns.request({ path: 'record/v1/salesOrder/eid:no-such-order' }));
  expect(missing.code === 404 && errorCode(missing.body) === 'NONEXISTENT_ID',
    `missing order answered ${missing.code} ${JSON.stringify(missing.body)}`);

  const bad = await status(ns.request({ path: 'record/v1/salesOrder/eid:clientcheck-2',
    method: 'PUT', body: JSON.stringify({ entity: { id: '999999' } }) }));
  expect(bad.code === 400 && errorCode(bad.body) === 'INVALID_KEY_OR_REF' &&
    bad.body['o:errorDetails'][0]['o:errorPath'] === 'entity',
  `order with a bad customer answered ${bad.code} ${JSON.stringify(bad.body)}`);

  const intruder = new NsApiWrapper({ ...cfg, token_secret: 'wrong-secret' });
  const refused = await status(intruder.request({ path: 'record/v1/customer/eid:x' }));
  expect(refused.code === 401 && errorCode(refused.body) === 'INVALID_LOGIN',
    `a wrong token secret answered ${refused.code} ${JSON.stringify(refused.body)}`);
}

async function main() {
  const cfg = config();
  const ns = new NsApiWrapper(cfg);

  const items = await checkItems(ns);
  const customerId = await upsertCustomer(ns);
  if (items.length === 2) {
    const orderId = await upsertOrder(ns, customerId, items);
    await creditMemo(ns, orderId, customerId, items);
    await closeOrder(ns, customerId, items);
  }
  await closeShipped(ns);
  await checkErrors(ns, cfg);

  if (failures.length > 0) {
    for (const f of failures) {
      console.error(`mismatch: ${f}`);
    }
    process.exit(1);
  }
  console.log('netsuite client check passed');
}

main().catch((err) => {
  const body = err && err.response ? ` ${err.response.statusCode} ${err.response.body}` : '';
  console.error(`netsuite client check failed: ${err && err.stack ? err.stack : err}${body}`);
  process.exit(1);
});
