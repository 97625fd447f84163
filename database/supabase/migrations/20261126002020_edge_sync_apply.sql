-- =====================================================================================
-- Edge sync, part 3: applying one record — optimistic concurrency for upserts and
-- deletes, deltas for stock — each in its own savepoint so one bad record spares the rest
-- =====================================================================================

-- ------------------------------------------------------------------------ record access
-- The three accessors below name the resource's table with format('%I'): p_resource has
-- been checked against the six record resources (sync_check_batch) before they run, and
-- each table keeps its data shape in shoal_private.sync_data_<resource>.

-- Does the id exist under ANOTHER brand than the caller's? Answered as a bare yes/no,
-- never with its data. A definer because the device's own policies hide other brands'
-- rows, and without it an edit of a foreign id would read as "not_found" instead of the
-- "id_taken" that tells the device to create the record under a new id (an insert of
-- that id would raise the primary key's unique violation anyway: this is no new oracle).
-- The brand is the token's, never a parameter.
create function shoal_private.sync_id_elsewhere(p_resource text, p_id uuid)
returns boolean language plpgsql stable security definer set search_path = '' as $$
declare
  v boolean;
  v_brand uuid := shoal_private.claim_brand();
begin
  if v_brand is null or p_resource not in ('products', 'customers', 'employees', 'shifts', 'daily_reports', 'store_orders') then
    return false;
  end if;
  execute format('select exists (select 1 from public.%I where id = $1 and brand_id <> $2)', p_resource)
    into v using p_id, v_brand;
  return v;
end
$$;

-- The brand's current copy, row locked until the push commits: {"version", "deleted",
-- "data"}, or null when the brand has no such record. Products are "deleted" when archived.
create function shoal_private.sync_current(p_resource text, p_brand_id uuid, p_id uuid)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v jsonb;
begin
  execute format('select jsonb_build_object(''version'', t.version, ''deleted'', %s, ''data'', shoal_private.%I(t))
                    from public.%I t where t.id = $1 and t.brand_id = $2 for no key update',
                 case when p_resource = 'products' then 't.status = ''archived''' else 't.deleted_at is not null' end,
                 'sync_data_' || p_resource, p_resource)
    into v using p_id, p_brand_id;
  return v;
end
$$;

-- Delete = tombstone (products: archive). The stamp trigger bumps version and change_seq.
create function shoal_private.sync_delete(p_resource text, p_brand_id uuid, p_id uuid)
returns bigint language plpgsql set search_path = '' as $$
declare
  v bigint;
begin
  execute format('update public.%I set %s where id = $1 and brand_id = $2 returning version', p_resource,
                 case when p_resource = 'products' then 'status = ''archived''' else 'deleted_at = coalesce(deleted_at, now())' end)
    into v using p_id, p_brand_id;
  return v;
end
$$;

-- ------------------------------------------------------------------------ upserts
-- One function per resource, each with an insert (p_insert: the brand has no such record)
-- and an update branch. Data keys: on insert, absent or null takes the column default
-- (a required column without one makes the record invalid); on update, an absent key
-- keeps the stored value and null means the default. An update also clears a tombstone:
-- upserting a deleted record at its current version restores it. Returns the new version.

create function shoal_private.sync_upsert_products(p_brand_id uuid, p_id uuid, p_insert boolean, d jsonb)
returns bigint language plpgsql set search_path = '' as $$
declare
  v_category uuid := shoal_private.sync_uuid(d, 'category_id');
  v bigint;
begin
  perform shoal_private.sync_check_ref(p_brand_id, 'categories', v_category, 'category_id');
  if p_insert then
    insert into public.products (id, brand_id, slug, title, description, status, category_id)
    values (p_id, p_brand_id, shoal_private.sync_text(d, 'slug'), shoal_private.sync_text(d, 'title'),
            coalesce(shoal_private.sync_text(d, 'description'), ''), coalesce(shoal_private.sync_text(d, 'status'), 'draft'),
            v_category)
    returning version into v;
  else
    update public.products set
      slug        = case when d ? 'slug' then shoal_private.sync_text(d, 'slug') else slug end,
      title       = case when d ? 'title' then shoal_private.sync_text(d, 'title') else title end,
      description = case when d ? 'description' then coalesce(shoal_private.sync_text(d, 'description'), '') else description end,
      status      = case when d ? 'status' then coalesce(shoal_private.sync_text(d, 'status'), 'draft') else status end,
      category_id = case when d ? 'category_id' then v_category else category_id end
    where id = p_id and brand_id = p_brand_id
    returning version into v;
  end if;
  return v;
end
$$;

create function shoal_private.sync_upsert_customers(p_brand_id uuid, p_id uuid, p_insert boolean, d jsonb)
returns bigint language plpgsql set search_path = '' as $$
declare
  v bigint;
begin
  if p_insert then
    insert into public.customers (id, brand_id, name, email, phone, note)
    values (p_id, p_brand_id, shoal_private.sync_text(d, 'name'), shoal_private.sync_text(d, 'email'),
            shoal_private.sync_text(d, 'phone'), coalesce(shoal_private.sync_text(d, 'note'), ''))
    returning version into v;
  else
    update public.customers set
      name  = case when d ? 'name' then shoal_private.sync_text(d, 'name') else name end,
      email = case when d ? 'email' then shoal_private.sync_text(d, 'email') else email end,
      phone = case when d ? 'phone' then shoal_private.sync_text(d, 'phone') else phone end,
      note  = case when d ? 'note' then coalesce(shoal_private.sync_text(d, 'note'), '') else note end,
      deleted_at = null
    where id = p_id and brand_id = p_brand_id
    returning version into v;
  end if;
  return v;
end
$$;

create function shoal_private.sync_upsert_employees(p_brand_id uuid, p_id uuid, p_insert boolean, d jsonb)
returns bigint language plpgsql set search_path = '' as $$
declare
  v bigint;
begin
  if p_insert then
    insert into public.employees (id, brand_id, name, role, active)
    values (p_id, p_brand_id, shoal_private.sync_text(d, 'name'), coalesce(shoal_private.sync_text(d, 'role'), 'cashier'),
            coalesce(shoal_private.sync_bool(d, 'active'), true))
    returning version into v;
  else
    update public.employees set
      name   = case when d ? 'name' then shoal_private.sync_text(d, 'name') else name end,
      role   = case when d ? 'role' then coalesce(shoal_private.sync_text(d, 'role'), 'cashier') else role end,
      active = case when d ? 'active' then coalesce(shoal_private.sync_bool(d, 'active'), true) else active end,
      deleted_at = null
    where id = p_id and brand_id = p_brand_id
    returning version into v;
  end if;
  return v;
end
$$;

create function shoal_private.sync_upsert_shifts(p_brand_id uuid, p_id uuid, p_insert boolean, d jsonb)
returns bigint language plpgsql set search_path = '' as $$
declare
  v_employee uuid := shoal_private.sync_uuid(d, 'employee_id');
  v bigint;
begin
  perform shoal_private.sync_check_ref(p_brand_id, 'employees', v_employee, 'employee_id');
  if p_insert then
    insert into public.shifts (id, brand_id, employee_id, store, opened_at, closed_at, opening_cash, closing_cash)
    values (p_id, p_brand_id, v_employee, coalesce(shoal_private.sync_text(d, 'store'), ''),
            shoal_private.sync_timestamptz(d, 'opened_at'), shoal_private.sync_timestamptz(d, 'closed_at'),
            coalesce(shoal_private.sync_bigint(d, 'opening_cash'), 0), shoal_private.sync_bigint(d, 'closing_cash'))
    returning version into v;
  else
    update public.shifts set
      employee_id  = case when d ? 'employee_id' then v_employee else employee_id end,
      store        = case when d ? 'store' then coalesce(shoal_private.sync_text(d, 'store'), '') else store end,
      opened_at    = case when d ? 'opened_at' then shoal_private.sync_timestamptz(d, 'opened_at') else opened_at end,
      closed_at    = case when d ? 'closed_at' then shoal_private.sync_timestamptz(d, 'closed_at') else closed_at end,
      opening_cash = case when d ? 'opening_cash' then coalesce(shoal_private.sync_bigint(d, 'opening_cash'), 0) else opening_cash end,
      closing_cash = case when d ? 'closing_cash' then shoal_private.sync_bigint(d, 'closing_cash') else closing_cash end,
      deleted_at = null
    where id = p_id and brand_id = p_brand_id
    returning version into v;
  end if;
  return v;
end
$$;

create function shoal_private.sync_upsert_daily_reports(p_brand_id uuid, p_id uuid, p_insert boolean, d jsonb)
returns bigint language plpgsql set search_path = '' as $$
declare
  v bigint;
begin
  if p_insert then
    insert into public.daily_reports (id, brand_id, store, business_date, totals, closed_at)
    values (p_id, p_brand_id, coalesce(shoal_private.sync_text(d, 'store'), ''), shoal_private.sync_date(d, 'business_date'),
            coalesce(shoal_private.sync_object(d, 'totals'), '{}'::jsonb), shoal_private.sync_timestamptz(d, 'closed_at'))
    returning version into v;
  else
    update public.daily_reports set
      store         = case when d ? 'store' then coalesce(shoal_private.sync_text(d, 'store'), '') else store end,
      business_date = case when d ? 'business_date' then shoal_private.sync_date(d, 'business_date') else business_date end,
      totals        = case when d ? 'totals' then coalesce(shoal_private.sync_object(d, 'totals'), '{}'::jsonb) else totals end,
      closed_at     = case when d ? 'closed_at' then shoal_private.sync_timestamptz(d, 'closed_at') else closed_at end,
      deleted_at = null
    where id = p_id and brand_id = p_brand_id
    returning version into v;
  end if;
  return v;
end
$$;

-- Items and payments are replaced wholesale when their key is present (always on insert).
create function shoal_private.sync_upsert_store_orders(p_brand_id uuid, p_id uuid, p_insert boolean, d jsonb)
returns bigint language plpgsql set search_path = '' as $$
declare
  v_customer uuid := shoal_private.sync_uuid(d, 'customer_id');
  v_employee uuid := shoal_private.sync_uuid(d, 'employee_id');
  v_shift    uuid := shoal_private.sync_uuid(d, 'shift_id');
  v_items    jsonb := shoal_private.sync_objects(d, 'items');
  v_payments jsonb := shoal_private.sync_objects(d, 'payments');
  v bigint;
begin
  perform shoal_private.sync_check_ref(p_brand_id, 'customers', v_customer, 'customer_id');
  perform shoal_private.sync_check_ref(p_brand_id, 'employees', v_employee, 'employee_id');
  perform shoal_private.sync_check_ref(p_brand_id, 'shifts', v_shift, 'shift_id');
  if p_insert then
    insert into public.store_orders (id, brand_id, number, status, currency, total_amount, placed_at,
                                     customer_id, employee_id, shift_id)
    values (p_id, p_brand_id, shoal_private.sync_text(d, 'number'), coalesce(shoal_private.sync_text(d, 'status'), 'open'),
            shoal_private.sync_text(d, 'currency'), shoal_private.sync_bigint(d, 'total_amount'),
            shoal_private.sync_timestamptz(d, 'placed_at'), v_customer, v_employee, v_shift)
    returning version into v;
  else
    -- always an UPDATE of the order itself, so a change of items alone bumps its version too
    update public.store_orders set
      number       = case when d ? 'number' then shoal_private.sync_text(d, 'number') else number end,
      status       = case when d ? 'status' then coalesce(shoal_private.sync_text(d, 'status'), 'open') else status end,
      currency     = case when d ? 'currency' then shoal_private.sync_text(d, 'currency') else currency end,
      total_amount = case when d ? 'total_amount' then shoal_private.sync_bigint(d, 'total_amount') else total_amount end,
      placed_at    = case when d ? 'placed_at' then shoal_private.sync_timestamptz(d, 'placed_at') else placed_at end,
      customer_id  = case when d ? 'customer_id' then v_customer else customer_id end,
      employee_id  = case when d ? 'employee_id' then v_employee else employee_id end,
      shift_id     = case when d ? 'shift_id' then v_shift else shift_id end,
      deleted_at = null
    where id = p_id and brand_id = p_brand_id
    returning version into v;
  end if;

  if p_insert or d ? 'items' then
    delete from public.store_order_items where order_id = p_id and brand_id = p_brand_id;
    insert into public.store_order_items (order_id, brand_id, line, sku, title, quantity, unit_amount)
    select p_id, p_brand_id, coalesce(shoal_private.sync_int(e.value, 'line'), e.n::integer), shoal_private.sync_text(e.value, 'sku'),
           coalesce(shoal_private.sync_text(e.value, 'title'), ''), shoal_private.sync_int(e.value, 'quantity'),
           shoal_private.sync_bigint(e.value, 'unit_amount')
      from jsonb_array_elements(v_items) with ordinality e(value, n);
  end if;
  if p_insert or d ? 'payments' then
    delete from public.store_order_payments where order_id = p_id and brand_id = p_brand_id;
    insert into public.store_order_payments (order_id, brand_id, line, method, amount, reference)
    select p_id, p_brand_id, e.n::integer, shoal_private.sync_text(e.value, 'method'), shoal_private.sync_bigint(e.value, 'amount'),
           shoal_private.sync_text(e.value, 'reference')
      from jsonb_array_elements(v_payments) with ordinality e(value, n);
  end if;
  return v;
end
$$;

-- ------------------------------------------------------------------------ stock deltas
-- Stock is not last-writer-wins either, nor versioned: a device sends what it sold or
-- received (a delta) and deltas from several devices add up. The row is locked, so
-- concurrent deltas serialize; a result below zero or below the reserved quantity is a
-- conflict. A variant of the brand without a stock row starts from zero.
create function shoal_private.sync_inventory_delta(p_brand_id uuid, p_variant_id uuid, d jsonb)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_delta bigint := shoal_private.sync_bigint(d, 'delta');
  v public.inventory_levels;
  v_version bigint;
begin
  if v_delta is null or v_delta = 0 then
    perform shoal_private.sync_refuse('invalid_delta', 'delta must be a non-zero integer');
  end if;
  if not exists (select 1 from public.variants where id = p_variant_id and brand_id = p_brand_id) then
    perform shoal_private.sync_refuse('unknown_record', 'no such variant');
  end if;
  select * into v from public.inventory_levels where variant_id = p_variant_id and brand_id = p_brand_id for no key update;
  if not found then
    if v_delta < 0 then
      return jsonb_build_object('status', 'conflict', 'code', 'insufficient_stock', 'server', null);
    end if;
    insert into public.inventory_levels (variant_id, brand_id, available) values (p_variant_id, p_brand_id, v_delta)
    returning version into v_version;
  elsif v.available + v_delta < 0 or v.reserved > v.available + v_delta then
    return jsonb_build_object('status', 'conflict', 'code', 'insufficient_stock', 'server',
      jsonb_build_object('version', v.version, 'deleted', false, 'data', shoal_private.sync_data_inventory_levels(v)));
  else
    update public.inventory_levels set available = available + v_delta
     where variant_id = p_variant_id and brand_id = p_brand_id
    returning version into v_version;
  end if;
  return jsonb_build_object('status', 'applied', 'version', v_version);
end
$$;

-- ------------------------------------------------------------------------ one record
-- Applies one well-formed record. Answers {"status": "applied", "version"} or
-- {"status": "conflict", "code", "server"}; raises PT422 (or a constraint error) when the
-- record is invalid, which the caller turns into an "invalid" answer.
create function shoal_private.sync_apply(p_brand_id uuid, p_resource text, p_op text, p_id uuid, p_base jsonb, p_data jsonb)
returns jsonb language plpgsql set search_path = '' as $$
declare
  v_data jsonb := coalesce(p_data, '{}'::jsonb);
  v_base bigint;
  v_current jsonb;
  v_conflict text;
  v_version bigint;
begin
  if jsonb_typeof(v_data) = 'null' then v_data := '{}'::jsonb; end if;
  if jsonb_typeof(v_data) <> 'object' then
    perform shoal_private.sync_refuse('invalid_data', 'data must be an object');
  end if;

  if p_resource = 'inventory_levels' then
    if p_op <> 'delta' then
      perform shoal_private.sync_refuse('inventory_takes_deltas', 'stock changes are sent as {"op": "delta", "data": {"delta": n}}');
    end if;
    return shoal_private.sync_inventory_delta(p_brand_id, p_id, v_data);
  end if;
  if p_op = 'delta' then
    perform shoal_private.sync_refuse('delta_not_supported', 'only inventory_levels takes deltas');
  end if;

  if coalesce(jsonb_typeof(p_base), 'null') <> 'null' then
    v_base := shoal_private.sync_bigint(jsonb_build_object('base_version', p_base), 'base_version');
    if v_base < 1 then
      perform shoal_private.sync_refuse('invalid_field', 'base_version must be a positive integer');
    end if;
  end if;

  -- an id of another brand: refused without a word about that record
  if shoal_private.sync_id_elsewhere(p_resource, p_id) then
    perform shoal_private.sync_refuse('id_taken', 'this id cannot be used; create the record under a new id');
  end if;

  -- optimistic concurrency: create only what does not exist (no base_version), change or
  -- delete only the version the device last saw
  v_current := shoal_private.sync_current(p_resource, p_brand_id, p_id);
  v_conflict := case
    when v_current is null and p_op = 'upsert' and v_base is null then null
    when v_current is null then 'not_found'
    when v_base = (v_current ->> 'version')::bigint then null
    else 'version_mismatch'
  end;
  if v_conflict is not null then
    return jsonb_build_object('status', 'conflict', 'code', v_conflict, 'server', v_current);
  end if;

  if p_op = 'delete' then
    v_version := shoal_private.sync_delete(p_resource, p_brand_id, p_id);
  else
    v_version := case p_resource
      when 'products'      then shoal_private.sync_upsert_products(p_brand_id, p_id, v_current is null, v_data)
      when 'customers'     then shoal_private.sync_upsert_customers(p_brand_id, p_id, v_current is null, v_data)
      when 'employees'     then shoal_private.sync_upsert_employees(p_brand_id, p_id, v_current is null, v_data)
      when 'shifts'        then shoal_private.sync_upsert_shifts(p_brand_id, p_id, v_current is null, v_data)
      when 'daily_reports' then shoal_private.sync_upsert_daily_reports(p_brand_id, p_id, v_current is null, v_data)
      when 'store_orders'  then shoal_private.sync_upsert_store_orders(p_brand_id, p_id, v_current is null, v_data)
    end;
  end if;
  return jsonb_build_object('status', 'applied', 'version', v_version);
end
$$;

