// check.js drives an SAP S/4HANA Cloud system (the erpsync sandbox, or a real
// system) through SAP's own Cloud SDK HTTP client, exactly as an application
// would: executeHttpRequest with Basic authentication and the SDK's own CSRF
// token handling. It exits non-zero on the first failed call or any mismatch.
//
// Environment: SAP_URL (the host base, such as http://127.0.0.1:8000),
// SAP_USER, SAP_PASSWORD. The system must hold the products CHECK-1 (standard
// price 19.99) and CHECK-2 (standard price 0.10) in EUR, and the discount
// material DISCOUNT; it must know the payment terms NT30 and NT60, the price
// group 02 and the reason for rejection Z1.
'use strict';

const { executeHttpRequest } = require('@sap-cloud-sdk/http-client');

const SALES = '/sap/opu/odata/sap/API_SALES_ORDER_SRV';
const PARTNER = '/sap/opu/odata/sap/API_BUSINESS_PARTNER';
const PRODUCT = '/sap/opu/odata/sap/API_PRODUCT_SRV';
const REF = "clientcheck:O'Brien-1";
const CANCEL_REF = 'clientcheck:cancel-1';
const AREA = { SalesOrganization: '1010', DistributionChannel: '10', Division: '00' };

const failures = [];

function expect(ok, what) {
  if (!ok) {
    failures.push(what);
  }
}

function destination(password) {
  const names = ['SAP_URL', 'SAP_USER', 'SAP_PASSWORD'];
  const missing = names.filter((k) => !process.env[k]);
  if (missing.length > 0) {
    throw new Error(`missing environment: ${missing.join(', ')}`);
  }
  return {
    url: process.env.SAP_URL,
    authentication: 'BasicAuthentication',
    username: process.env.SAP_USER,
    password: password || process.env.SAP_PASSWORD,
  };
}

// literal writes an OData string literal, doubling quotes.
function literal(s) {
  return `'${s.replace(/'/g, "''")}'`;
}

// encoded escapes query options: the SDK sends request parameters as they
// are given.
function encoded(params) {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, encodeURIComponent(v)]));
}

async function get(path, params) {
  const res = await executeHttpRequest(destination(), {
    method: 'get', url: path, params: encoded(params), headers: { Accept: 'application/json' },
  });
  return res.data.d;
}

async function post(path, data) {
  const res = await executeHttpRequest(destination(), {
    method: 'post', url: path, data,
    headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
  });
  return res;
}

// patch changes an entity with the ETag it was read with, the SDK fetching
// the CSRF token as for any modifying request.
async function patch(path, data, etag) {
  const res = await executeHttpRequest(destination(), {
    method: 'patch', url: path, data,
    headers: {
      Accept: 'application/json', 'Content-Type': 'application/json', 'If-Match': etag || '*',
    },
  });
  return res;
}

async function checkProducts() {
  const d = await get(`${PRODUCT}/A_Product`, {
    $filter: "Product eq 'CHECK-1' or Product eq 'CHECK-2'",
    $expand: 'to_Valuation', $orderby: 'Product', $inlinecount: 'allpages',
  });
  expect(d.__count === '2', `A_Product __count ${d.__count}, want "2"`);
  const prices = d.results.map((p) => p.to_Valuation.results[0].StandardPrice);
  expect(JSON.stringify(prices) === '["19.99","0.10"]', `standard prices ${prices}`);
}

async function checkPartner() {
  const res = await post(`${PARTNER}/A_BusinessPartner`, {
    BusinessPartnerCategory: '1', FirstName: 'Client', LastName: 'Check',
    BusinessPartnerIDByExtSystem: 'clientcheck-1',
    to_BusinessPartnerRole: { results: [{ BusinessPartnerRole: 'FLCU01' }] },
    to_AddressIndependentEmail: { results: [{ EmailAddress: 'check@example.com' }] },
    to_BusinessPartnerAddress: { results: [{ Country: 'PT', CityName: 'Lisbon' }] },
    to_Customer: {
      to_CustomerSalesArea: {
        results: [{ ...AREA, CustomerPaymentTerms: 'NT30', CustomerPriceGroup: '02' }],
      },
    },
  });
  expect(res.status === 201, `create A_BusinessPartner status ${res.status}, want 201`);
  const bp = res.data.d.BusinessPartner;
  expect(/^\d+$/.test(bp), `business partner number ${bp}`);

  const found = await get(`${PARTNER}/A_BPAddressIndependentEmail`, {
    $filter: "EmailAddress eq 'check@example.com'", $select: 'BusinessPartner',
  });
  expect(found.results.length === 1 && found.results[0].BusinessPartner === bp,
    `e-mail lookup returned ${JSON.stringify(found.results)}`);
  return bp;
}

// salesArea reads the partner's customer data in the check's sales area.
async function salesArea(bp) {
  const d = await get(`${PARTNER}/A_BusinessPartner(${literal(bp)})`, {
    $expand: 'to_Customer/to_CustomerSalesArea',
  });
  const areas = (d.to_Customer && d.to_Customer.to_CustomerSalesArea.results) || [];
  return areas.find((a) => a.SalesOrganization === AREA.SalesOrganization
    && a.DistributionChannel === AREA.DistributionChannel && a.Division === AREA.Division);
}

async function checkTerms(bp) {
  const area = await salesArea(bp);
  expect(area && area.CustomerPaymentTerms === 'NT30' && area.CustomerPriceGroup === '02',
    `sales area of the new partner ${JSON.stringify(area)}`);
  if (area === undefined) {
    return;
  }

  const key = `Customer=${literal(area.Customer)},`
    + `SalesOrganization=${literal(area.SalesOrganization)},`
    + `DistributionChannel=${literal(area.DistributionChannel)},`
    + `Division=${literal(area.Division)}`;
  const res = await patch(`${PARTNER}/A_CustomerSalesArea(${key})`,
    { CustomerPaymentTerms: 'NT60' }, area.__metadata.etag);
  expect(res.status === 204, `PATCH of A_CustomerSalesArea status ${res.status}, want 204`);
  const changed = await salesArea(bp);
  expect(changed && changed.CustomerPaymentTerms === 'NT60' && changed.CustomerPriceGroup === '02',
    `sales area after the PATCH ${JSON.stringify(changed)}`);
}

async function checkOrder(bp) {
  const res = await post(`${SALES}/A_SalesOrder`, {
    SalesOrderType: 'OR', SalesOrganization: '1010', DistributionChannel: '10',
    OrganizationDivision: '00', SoldToParty: bp, PurchaseOrderByCustomer: REF,
    TransactionCurrency: 'EUR',
    to_Item: {
      results: [
        {
          Material: 'CHECK-1', RequestedQuantity: '2', SalesOrderItemText: 'Check one',
          to_PricingElement: { results: [{ ConditionType: 'PPR0', ConditionRateValue: '19.99' }] },
        },
        { Material: 'CHECK-2', RequestedQuantity: '3' },
      ],
    },
  });
  expect(res.status === 201, `deep insert of A_SalesOrder status ${res.status}, want 201`);
  const created = res.data.d;
  expect(created.to_Item && created.to_Item.results.length === 2,
    `created order items ${JSON.stringify(created.to_Item)}`);

  const d = await get(`${SALES}/A_SalesOrder`, {
    $filter: `PurchaseOrderByCustomer eq ${literal(REF)}`, $expand: 'to_Item',
    $inlinecount: 'allpages', $top: '5',
  });
  expect(d.__count === '1', `orders found by reference: ${d.__count}, want "1"`);
  const [order] = d.results;
  if (order === undefined) {
    return;
  }
  expect(order.SalesOrder === created.SalesOrder, `found order ${order.SalesOrder}`);
  expect(order.SoldToParty === bp, `order sold-to party ${order.SoldToParty}`);
  expect(order.TotalNetAmount === '40.28', `order net amount ${order.TotalNetAmount}, want 40.28`);
  expect(/^\/Date\(\d+\+0000\)\/$/.test(order.LastChangeDateTime),
    `LastChangeDateTime ${order.LastChangeDateTime}`);
  const items = order.to_Item.results;
  expect(items.length === 2 && items[0].Material === 'CHECK-1' && items[0].SalesOrderItem === '10'
    && items[1].NetAmount === '0.30', `order items ${JSON.stringify(items)}`);
}

// checkCancel books an order with a discount item, then cancels it as SAP
// does: a reason for rejection on every item, each with its own PATCH.
async function checkCancel(bp) {
  const res = await post(`${SALES}/A_SalesOrder`, {
    SalesOrderType: 'OR', SalesOrganization: AREA.SalesOrganization,
    DistributionChannel: AREA.DistributionChannel, OrganizationDivision: AREA.Division,
    SoldToParty: bp, PurchaseOrderByCustomer: CANCEL_REF, TransactionCurrency: 'EUR',
    to_Item: {
      results: [
        { Material: 'CHECK-1', RequestedQuantity: '1' },
        {
          Material: 'DISCOUNT', RequestedQuantity: '1',
          to_PricingElement: {
            results: [
              { ConditionType: 'PPR0', ConditionRateValue: '0.00' },
              { ConditionType: 'RB00', ConditionRateValue: '-4.99' },
            ],
          },
        },
      ],
    },
  });
  const order = res.data.d.SalesOrder;
  expect(res.status === 201 && res.data.d.TotalNetAmount === '15.00',
    `order with a discount: status ${res.status}, net ${res.data.d.TotalNetAmount}, want 15.00`);

  const items = await get(`${SALES}/A_SalesOrder(${literal(order)})/to_Item`, {});
  for (const item of items.results) {
    const path = `${SALES}/A_SalesOrderItem(SalesOrder=${literal(order)},`
      + `SalesOrderItem=${literal(item.SalesOrderItem)})`;
    const rejected = await patch(path, { SalesDocumentRjcnReason: 'Z1' }, item.__metadata.etag);
    expect(rejected.status === 204, `rejection of item ${item.SalesOrderItem}: ${rejected.status}`);
  }

  const d = await get(`${SALES}/A_SalesOrder(${literal(order)})`, { $expand: 'to_Item' });
  expect(d.OverallSDDocumentRejectionSts === 'C',
    `rejection status ${d.OverallSDDocumentRejectionSts}, want C`);
  expect(d.to_Item.results.every((i) => i.SalesDocumentRjcnReason === 'Z1'),
    `item reasons ${JSON.stringify(d.to_Item.results.map((i) => i.SalesDocumentRjcnReason))}`);
}

// responseOf returns the HTTP answer that a failed request got, or {}.
function responseOf(err) {
  return (err && (err.response || (err.cause && err.cause.response))) || {};
}

async function checkErrors(bp) {
  let error;
  try {
    await post(`${SALES}/A_SalesOrder`, {
      SoldToParty: bp, PurchaseOrderByCustomer: 'clientcheck:bad',
      to_Item: { results: [{ Material: 'NO-SUCH', RequestedQuantity: '1' }] },
    });
  } catch (err) {
    error = err;
  }
  const { status, data: body } = responseOf(error);
  expect(status === 400, `unknown material answered ${status}, want 400`);
  expect(body && body.error && body.error.message.value.includes('NO-SUCH'),
    `unknown material error body ${JSON.stringify(body)}`);

  let refused;
  try {
    await executeHttpRequest(destination('wrong-password'),
      { method: 'get', url: `${SALES}/A_SalesOrder`, params: { $top: '1' } });
  } catch (err) {
    refused = responseOf(err).status;
  }
  expect(refused === 401, `a wrong password answered ${refused}, want 401`);
}

async function main() {
  await checkProducts();
  const bp = await checkPartner();
  await checkTerms(bp);
  await checkOrder(bp);
  await checkCancel(bp);
  await checkErrors(bp);

  if (failures.length > 0) {
    for (const f of failures) {
      console.error(`mismatch: ${f}`);
    }
    process.exit(1);
  }
  console.log('sap client check passed');
}

main().catch((err) => {
  const res = responseOf(err);
  const detail = res.status ? ` (status ${res.status}: ${JSON.stringify(res.data)})` : '';
  console.error(`sap client check failed: ${err && err.stack ? err.stack : err}${detail}`);
  process.exit(1);
});
