// check.js drives a Business Central API v2.0 endpoint (the erpsync sandbox,
// or a real tenant) exactly as an application would: Microsoft's MSAL for
// Node (@azure/msal-node) acquires the token with the client credentials
// grant, and o.js (the "odata" package), a widely used OData v4 client, makes
// the data calls. It exits non-zero on the first failed call or any mismatch.
//
// Environment: BC_URL (the API root up to /api/v2.0), BC_TOKEN_URL
// (https://{host}/{tenant}/oauth2/v2.0/token), BC_TENANT, BC_CLIENT_ID,
// BC_CLIENT_SECRET, BC_COMPANY_ID. The company must hold the items CHECK-1
// (unit price 19.99), CHECK-2 (unit price 0.10) and CHECK-3 in its local
// currency, at least one payment terms code (NET30 is used when there is
// one), and no customer with the e-mail check@example.com.
'use strict';

const msal = require('@azure/msal-node');
const { o } = require('odata');

const SCOPE = 'https://api.businesscentral.dynamics.com/.default';
const failures = [];

function expect(ok, what) {
  if (!ok) {
    failures.push(what);
  }
}

function config() {
  const names = ['BC_URL', 'BC_TOKEN_URL', 'BC_TENANT', 'BC_CLIENT_ID', 'BC_CLIENT_SECRET',
    'BC_COMPANY_ID'];
  const missing = names.filter((k) => !process.env[k]);
  if (missing.length > 0) {
    throw new Error(`missing environment: ${missing.join(', ')}`);
  }
  const tokenURL = new URL(process.env.BC_TOKEN_URL);
  return {
    root: process.env.BC_URL.replace(/\/?$/, '/'),
    host: tokenURL.host,
    authority: `${tokenURL.origin}/${process.env.BC_TENANT}`,
    clientId: process.env.BC_CLIENT_ID,
    clientSecret: process.env.BC_CLIENT_SECRET,
    company: `companies(${process.env.BC_COMPANY_ID})`,
  };
}

// app returns an MSAL confidential client for the sandbox's authority. The
// authority is declared known, so MSAL reads the tenant's OpenID metadata
// from it instead of asking Microsoft's instance discovery.
function app(cfg, secret) {
  return new msal.ConfidentialClientApplication({
    auth: {
      clientId: cfg.clientId,
      clientSecret: secret,
      authority: cfg.authority,
      knownAuthorities: [cfg.host],
    },
  });
}

async function checkTokens(cfg) {
  const result = await app(cfg, cfg.clientSecret).acquireTokenByClientCredential({
    scopes: [SCOPE],
  });
  expect(result && typeof result.accessToken === 'string' && result.accessToken.length > 20,
    `acquireTokenByClientCredential returned ${JSON.stringify(result)}`);
  expect(result && result.tokenType === 'Bearer', `token type ${result && result.tokenType}`);
  expect(result && result.expiresOn > new Date(),
    `token expires on ${result && result.expiresOn}`);

  let code = '';
  try {
    await app(cfg, 'wrong-secret').acquireTokenByClientCredential({ scopes: [SCOPE] });
  } catch (err) {
    code = String(err && err.errorCode);
  }
  expect(code === 'invalid_client', `a wrong client secret failed with "${code}"`);
  return result.accessToken;
}

// api returns an o.js handler for the API with the bearer token; with
// whole set, queries return whole response bodies instead of their value.
function api(cfg, token, whole, headers = {}) {
  const h = { Accept: 'application/json', 'Content-Type': 'application/json', ...headers };
  if (token) {
    h.Authorization = `Bearer ${token}`;
  }
  return o(cfg.root, { headers: h, fragment: whole ? '' : 'value' });
}

// failure runs a request that must fail and returns its status and error code.
async function failure(request) {
  try {
    await request();
  } catch (res) {
    if (res && typeof res.status === 'number') {
      const body = await res.json().catch(() => ({}));
      return { status: res.status, code: body.error && body.error.code };
    }
    throw res;
  }
  return { status: 0, code: 'no error' };
}

async function checkReads(cfg, token) {
  const companies = await api(cfg, token).get('companies').query();
  expect(companies.some((c) => c.id === process.env.BC_COMPANY_ID),
    `companies returned ${JSON.stringify(companies)}`);

  const items = await api(cfg, token).get(`${cfg.company}/items`).query({
    $filter: "number eq 'CHECK-1' or number eq 'CHECK-2'", $orderby: 'number',
  });
  expect(items.length === 2 && items[0].unitPrice === 19.99 && items[1].unitPrice === 0.1,
    `items read as ${JSON.stringify(items)}`);

  const first = await api(cfg, token, true, { Prefer: 'odata.maxpagesize=1' })
    .get(`${cfg.company}/items`).query({ $filter: "startswith eq 'x' or number ge 'CHECK'" })
    .catch(() => null);
  expect(first === null, 'an unsupported filter function was accepted');

  const numbers = [];
  let page = await api(cfg, token, true, { Prefer: 'odata.maxpagesize=1' })
    .get(`${cfg.company}/items`).query({ $filter: "number ge 'CHECK'", $orderby: 'number' });
  for (let i = 0; i < 10; i++) {
    numbers.push(...page.value.map((it) => it.number));
    if (!page['@odata.nextLink']) {
      break;
    }
    const next = new URL(page['@odata.nextLink']);
    page = await api(cfg, token, true, { Prefer: 'odata.maxpagesize=1' })
      .get(next.pathname.slice(new URL(cfg.root).pathname.length) + next.search).query();
  }
  expect(numbers.join() === 'CHECK-1,CHECK-2,CHECK-3', `paged items ${numbers.join()}`);

  const anonymous = await failure(() => api(cfg, '').get('companies').query());
  expect(anonymous.status === 401 && anonymous.code === 'Authentication_InvalidCredentials',
    `a request without a token got ${JSON.stringify(anonymous)}`);
}

async function checkCustomer(cfg, token) {
  const created = await api(cfg, token).post(`${cfg.company}/customers`, {
    number: 'check:customer-1', displayName: 'Client Check', email: 'check@example.com',
  }).query();
  expect(created && created.number === 'CHECK:CUSTOMER-1' && created['@odata.etag'],
    `create customer returned ${JSON.stringify(created)}`);

  const found = await api(cfg, token).get(`${cfg.company}/customers`).query({
    $filter: "email eq 'CHECK@example.com'",
  });
  expect(found.length === 1 && found[0].id === created.id,
    `customers by e-mail returned ${JSON.stringify(found)}`);

  const updated = await api(cfg, token, false, { 'If-Match': created['@odata.etag'] })
    .patch(`${cfg.company}/customers(${created.id})`, { displayName: 'Client Check 2' })
    .query();
  expect(updated && updated.displayName === 'Client Check 2' &&
    updated['@odata.etag'] !== created['@odata.etag'],
  `update customer returned ${JSON.stringify(updated)}`);

  const stale = await failure(() => api(cfg, token, false,
    { 'If-Match': created['@odata.etag'] })
    .patch(`${cfg.company}/customers(${created.id})`, { displayName: 'Lost update' }).query());
  expect(stale.status === 412 && stale.code === 'Request_EntityChanged',
    `an update with a stale ETag got ${JSON.stringify(stale)}`);
  return created;
}

async function checkOrder(cfg, token, customer) {
  const created = await api(cfg, token).post(`${cfg.company}/salesOrders`, {
    customerId: customer.id,
    externalDocumentNumber: 'clientcheck:1',
    orderDate: '2026-03-01',
    salesOrderLines: [
      { lineType: 'Item', lineObjectNumber: 'CHECK-1', quantity: 2, unitPrice: 19.99 },
      { lineType: 'Item', lineObjectNumber: 'CHECK-2', quantity: 3, unitPrice: 0.1 },
    ],
  }).query();
  expect(created && created.externalDocumentNumber === 'CLIENTCHECK:1' &&
    created.totalAmountIncludingTax === 40.28,
  `create sales order returned ${JSON.stringify(created)}`);

  const [order] = await api(cfg, token).get(`${cfg.company}/salesOrders`).query({
    $filter: "externalDocumentNumber eq 'clientcheck:1'", $expand: 'salesOrderLines',
  });
  expect(order && order.id === created.id && order.salesOrderLines.length === 2 &&
    order.salesOrderLines[0].lineObjectNumber === 'CHECK-1' &&
    order.salesOrderLines[1].unitPrice === 0.1,
  `sales order read as ${JSON.stringify(order)}`);

  const long = await failure(() => api(cfg, token).post(`${cfg.company}/salesOrders`, {
    customerId: customer.id, externalDocumentNumber: 'clientcheck:'.padEnd(36, '9'),
  }).query());
  expect(long.status === 400 && long.code === 'Application_StringExceededLength',
    `a 36-character externalDocumentNumber got ${JSON.stringify(long)}`);

  const unknown = await failure(() => api(cfg, token).post(`${cfg.company}/salesOrders`, {
    customerId: customer.id, externalDocumentNumber: 'clientcheck:2',
    salesOrderLines: [{ lineType: 'Item', lineObjectNumber: 'NO-SUCH-ITEM', quantity: 1 }],
  }).query());
  expect(unknown.status === 404 && unknown.code === 'Internal_RecordNotFound',
    `an unknown item got ${JSON.stringify(unknown)}`);
}

// checkTerms sets the customer's credit limit and payment terms, by the id
// of a paymentTerms entity.
async function checkTerms(cfg, token, customer) {
  const terms = await api(cfg, token).get(`${cfg.company}/paymentTerms`).query({
    $orderby: 'code',
  });
  const term = terms.find((t) => t.code === 'NET30') || terms[0];
  expect(term && typeof term.id === 'string', `payment terms ${JSON.stringify(terms)}`);

  const current = await api(cfg, token, true).get(`${cfg.company}/customers(${customer.id})`)
    .query();
  const updated = await api(cfg, token, false, { 'If-Match': current['@odata.etag'] })
    .patch(`${cfg.company}/customers(${customer.id})`,
      { creditLimit: 5000, paymentTermsId: term.id }).query();
  expect(updated && updated.creditLimit === 5000 && updated.paymentTermsId === term.id,
    `customer terms updated as ${JSON.stringify(updated)}`);

  const unknown = await failure(() => api(cfg, token, false, { 'If-Match': '*' })
    .patch(`${cfg.company}/customers(${customer.id})`,
      { paymentTermsId: '00000000-0000-4002-8000-0000000000ff' }).query());
  expect(unknown.status === 400 && unknown.code === 'Application_DialogException',
    `an unknown paymentTermsId got ${JSON.stringify(unknown)}`);
}

// checkCancel books an order with a discount line at a negative unit price,
// then cancels it as Business Central does: by deleting it.
async function checkCancel(cfg, token, customer) {
  const created = await api(cfg, token).post(`${cfg.company}/salesOrders`, {
    customerId: customer.id,
    externalDocumentNumber: 'clientcheck:3',
    salesOrderLines: [
      { lineType: 'Item', lineObjectNumber: 'CHECK-1', quantity: 1, unitPrice: 19.99 },
      { lineType: 'Item', lineObjectNumber: 'CHECK-3', quantity: 1, unitPrice: -1.5,
        description: 'Discount' },
    ],
  }).query();
  expect(created && created.totalAmountIncludingTax === 18.49,
    `an order with a discount line totals ${created && created.totalAmountIncludingTax}`);

  const path = `${cfg.company}/salesOrders(${created.id})`;
  const deleted = await api(cfg, token, false, { 'If-Match': created['@odata.etag'] })
    .delete(path).query();
  expect(deleted && deleted.status === 204, `DELETE sales order answered ${deleted.status}`);

  const gone = await failure(() => api(cfg, token, true).get(path).query());
  expect(gone.status === 404, `a deleted sales order read as ${JSON.stringify(gone)}`);
  const again = await failure(() => api(cfg, token, false, { 'If-Match': '*' })
    .delete(path).query());
  expect(again.status === 404, `a second DELETE got ${JSON.stringify(again)}`);
}

// checkCreditMemo books a credit memo with its lines and finds it by its
// external document number.
async function checkCreditMemo(cfg, token, customer) {
  const created = await api(cfg, token).post(`${cfg.company}/salesCreditMemos`, {
    customerId: customer.id,
    externalDocumentNumber: 'clientcheck:1:refund:1',
    creditMemoDate: '2026-03-02',
    salesCreditMemoLines: [
      { lineType: 'Item', lineObjectNumber: 'CHECK-2', quantity: 1, unitPrice: 0.1 },
      { lineType: 'Item', lineObjectNumber: 'CHECK-3', quantity: 1, unitPrice: 2.5 },
    ],
  }).query();
  expect(created && created.externalDocumentNumber === 'CLIENTCHECK:1:REFUND:1' &&
    created.totalAmountIncludingTax === 2.6 && typeof created.number === 'string',
  `create credit memo returned ${JSON.stringify(created)}`);

  const found = await api(cfg, token).get(`${cfg.company}/salesCreditMemos`).query({
    $filter: "externalDocumentNumber eq 'clientcheck:1:refund:1'",
    $expand: 'salesCreditMemoLines',
  });
  expect(found.length === 1 && found[0].id === created.id &&
    found[0].salesCreditMemoLines.length === 2 &&
    found[0].salesCreditMemoLines[1].unitPrice === 2.5,
  `credit memos by reference returned ${JSON.stringify(found)}`);
}

async function main() {
  const cfg = config();
  const token = await checkTokens(cfg);
  await checkReads(cfg, token);
  const customer = await checkCustomer(cfg, token);
  await checkOrder(cfg, token, customer);
  await checkTerms(cfg, token, customer);
  await checkCancel(cfg, token, customer);
  await checkCreditMemo(cfg, token, customer);

  if (failures.length > 0) {
    for (const f of failures) {
      console.error(`mismatch: ${f}`);
    }
    process.exit(1);
  }
  console.log('business central client check passed');
}

main().catch(async (err) => {
  const detail = err && typeof err.status === 'number' ?
    `HTTP ${err.status} ${await err.text().catch(() => '')}` : (err && err.stack) || err;
  console.error(`business central client check failed: ${detail}`);
  process.exit(1);
});
