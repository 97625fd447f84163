-- =====================================================================================
-- Edge sync, part 2: reading pushed JSON into typed values, and each resource's data as
-- push answers and pull pages show it (see 20261126002000_edge_sync_tables.sql)
-- =====================================================================================

-- ------------------------------------------------------------------------ reading pushed JSON
-- Typed readers of one key of a record's data. Absent or JSON null reads as SQL null; a
-- value of the wrong JSON type is refused (errcode PT422, message = the answer's code,
-- detail = its message). PT422 never leaves edge_sync_push: it becomes an "invalid" answer.
-- Whatever may raise is STABLE or VOLATILE, never IMMUTABLE: the planner would fold an
-- immutable call with constant arguments early, even inside a CASE branch not taken.
create function shoal_private.sync_refuse(p_code text, p_message text)
returns void language plpgsql volatile set search_path = '' as $$
begin
  raise exception using errcode = 'PT422', message = p_code, detail = p_message;
end
$$;

create function shoal_private.sync_is_uuid(p_value jsonb)
returns boolean language sql immutable set search_path = '' as $$
  select coalesce(jsonb_typeof(p_value) = 'string'
    and (p_value #>> '{}') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$', false)
$$;

create function shoal_private.sync_text(p_data jsonb, p_key text)
returns text language plpgsql stable set search_path = '' as $$
begin
  if coalesce(jsonb_typeof(p_data -> p_key), 'null') = 'null' then return null; end if;
  if jsonb_typeof(p_data -> p_key) <> 'string' then
    perform shoal_private.sync_refuse('invalid_field', p_key || ' must be a string');
  end if;
  return p_data ->> p_key;
end
$$;

create function shoal_private.sync_bigint(p_data jsonb, p_key text)
returns bigint language plpgsql stable set search_path = '' as $$
declare
  v numeric;
begin
  if coalesce(jsonb_typeof(p_data -> p_key), 'null') = 'null' then return null; end if;
  if jsonb_typeof(p_data -> p_key) = 'number' then
    v := (p_data ->> p_key)::numeric;
    if v = trunc(v) and v between -9223372036854775808 and 9223372036854775807 then
      return v::bigint;
    end if;
  end if;
  perform shoal_private.sync_refuse('invalid_field', p_key || ' must be an integer');
end
$$;

create function shoal_private.sync_int(p_data jsonb, p_key text)
returns integer language plpgsql stable set search_path = '' as $$
declare
  v bigint := shoal_private.sync_bigint(p_data, p_key);
begin
  if v is not null and v not between -2147483648 and 2147483647 then
    perform shoal_private.sync_refuse('invalid_field', p_key || ' is out of range');
  end if;
  return v::integer;
end
$$;

create function shoal_private.sync_bool(p_data jsonb, p_key text)
returns boolean language plpgsql stable set search_path = '' as $$
begin
  if coalesce(jsonb_typeof(p_data -> p_key), 'null') = 'null' then return null; end if;
  if jsonb_typeof(p_data -> p_key) <> 'boolean' then
    perform shoal_private.sync_refuse('invalid_field', p_key || ' must be true or false');
  end if;
  return (p_data -> p_key)::boolean;
end
$$;

create function shoal_private.sync_uuid(p_data jsonb, p_key text)
returns uuid language plpgsql stable set search_path = '' as $$
begin
  if coalesce(jsonb_typeof(p_data -> p_key), 'null') = 'null' then return null; end if;
  if not shoal_private.sync_is_uuid(p_data -> p_key) then
    perform shoal_private.sync_refuse('invalid_field', p_key || ' must be a uuid');
  end if;
  return (p_data ->> p_key)::uuid;
end
$$;

-- RFC 3339 with an explicit offset: a bare local time would be read in the server's zone.
create function shoal_private.sync_timestamptz(p_data jsonb, p_key text)
returns timestamptz language plpgsql stable set search_path = '' as $$
begin
  if coalesce(jsonb_typeof(p_data -> p_key), 'null') = 'null' then return null; end if;
  if jsonb_typeof(p_data -> p_key) <> 'string' or (p_data ->> p_key)
       !~ '^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}(:?\d{2})?)$' then
    perform shoal_private.sync_refuse('invalid_field', p_key || ' must be a timestamp with offset (RFC 3339)');
  end if;
  return (p_data ->> p_key)::timestamptz;  -- an impossible date (02-30) raises 22008 -> invalid_value
end
$$;

create function shoal_private.sync_date(p_data jsonb, p_key text)
returns date language plpgsql stable set search_path = '' as $$
begin
  if coalesce(jsonb_typeof(p_data -> p_key), 'null') = 'null' then return null; end if;
  if jsonb_typeof(p_data -> p_key) <> 'string' or (p_data ->> p_key) !~ '^\d{4}-\d{2}-\d{2}$' then
    perform shoal_private.sync_refuse('invalid_field', p_key || ' must be a date (YYYY-MM-DD)');
  end if;
  return (p_data ->> p_key)::date;
end
$$;

create function shoal_private.sync_object(p_data jsonb, p_key text)
returns jsonb language plpgsql stable set search_path = '' as $$
begin
  if coalesce(jsonb_typeof(p_data -> p_key), 'null') = 'null' then return null; end if;
  if jsonb_typeof(p_data -> p_key) <> 'object' then
    perform shoal_private.sync_refuse('invalid_field', p_key || ' must be an object');
  end if;
  return p_data -> p_key;
end
$$;

-- An array of objects (order items, payments); absent or null reads as an empty array.
create function shoal_private.sync_objects(p_data jsonb, p_key text)
returns jsonb language plpgsql stable set search_path = '' as $$
begin
  if coalesce(jsonb_typeof(p_data -> p_key), 'null') = 'null' then return '[]'::jsonb; end if;
  if jsonb_typeof(p_data -> p_key) <> 'array'
     or exists (select 1 from jsonb_array_elements(p_data -> p_key) e where jsonb_typeof(e) <> 'object') then
    perform shoal_private.sync_refuse('invalid_field', p_key || ' must be an array of objects');
  end if;
  return p_data -> p_key;
end
$$;

-- A reference (category, customer, employee, shift) must name a record of the same brand:
-- the foreign keys alone would accept another brand's id. Unknown and foreign read alike.
create function shoal_private.sync_check_ref(p_brand_id uuid, p_kind text, p_id uuid, p_field text)
returns void language plpgsql stable set search_path = '' as $$
declare
  v_found boolean;
begin
  if p_id is null then return; end if;
  v_found := case p_kind
      when 'categories' then exists (select 1 from public.categories where id = p_id and brand_id = p_brand_id)
      when 'customers'  then exists (select 1 from public.customers  where id = p_id and brand_id = p_brand_id)
      when 'employees'  then exists (select 1 from public.employees  where id = p_id and brand_id = p_brand_id)
      when 'shifts'     then exists (select 1 from public.shifts     where id = p_id and brand_id = p_brand_id)
    end;
  if not coalesce(v_found, false) then
    perform shoal_private.sync_refuse('unknown_reference', p_field || ' does not name a record of this brand');
  end if;
end
$$;

-- ------------------------------------------------------------------------ resource data
-- The "data" of a record as pull hands it out and as a conflict answers the server copy.
create function shoal_private.sync_data_products(t public.products)
returns jsonb language sql stable set search_path = '' as $$
  select jsonb_build_object('slug', t.slug, 'title', t.title, 'description', t.description, 'status', t.status,
                            'category_id', t.category_id)
$$;

create function shoal_private.sync_data_inventory_levels(t public.inventory_levels)
returns jsonb language sql stable set search_path = '' as $$
  select jsonb_build_object('variant_id', t.variant_id, 'available', t.available, 'reserved', t.reserved)
$$;

create function shoal_private.sync_data_customers(t public.customers)
returns jsonb language sql stable set search_path = '' as $$
  select jsonb_build_object('name', t.name, 'email', t.email, 'phone', t.phone, 'note', t.note)
$$;

create function shoal_private.sync_data_employees(t public.employees)
returns jsonb language sql stable set search_path = '' as $$
  select jsonb_build_object('name', t.name, 'role', t.role, 'active', t.active)
$$;

create function shoal_private.sync_data_shifts(t public.shifts)
returns jsonb language sql stable set search_path = '' as $$
  select jsonb_build_object('employee_id', t.employee_id, 'store', t.store, 'opened_at', t.opened_at, 'closed_at', t.closed_at,
                            'opening_cash', t.opening_cash, 'closing_cash', t.closing_cash)
$$;

create function shoal_private.sync_data_daily_reports(t public.daily_reports)
returns jsonb language sql stable set search_path = '' as $$
  select jsonb_build_object('store', t.store, 'business_date', t.business_date, 'totals', t.totals, 'closed_at', t.closed_at)
$$;

create function shoal_private.sync_data_store_orders(t public.store_orders)
returns jsonb language sql stable set search_path = '' as $$
  select jsonb_build_object('number', t.number, 'status', t.status, 'currency', t.currency, 'total_amount', t.total_amount,
    'placed_at', t.placed_at, 'customer_id', t.customer_id, 'employee_id', t.employee_id, 'shift_id', t.shift_id,
    'items', coalesce((select jsonb_agg(jsonb_build_object('line', i.line, 'sku', i.sku, 'title', i.title,
                                                           'quantity', i.quantity, 'unit_amount', i.unit_amount) order by i.line)
                         from public.store_order_items i where i.order_id = t.id and i.brand_id = t.brand_id), '[]'::jsonb),
    'payments', coalesce((select jsonb_agg(jsonb_build_object('method', p.method, 'amount', p.amount,
                                                              'reference', p.reference) order by p.line)
                            from public.store_order_payments p where p.order_id = t.id and p.brand_id = t.brand_id), '[]'::jsonb))
$$;
