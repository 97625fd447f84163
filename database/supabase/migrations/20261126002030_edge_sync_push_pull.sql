-- =====================================================================================
-- Edge sync, part 4: the two entry points the worker calls, push (one transaction per
-- batch, answered record by record) and pull (brand-fenced pages after a cursor)
-- =====================================================================================

-- ------------------------------------------------------------------------ batch shape
-- All-or-nothing checks before anything is applied: a batch the worker should never have
-- let through raises 22023 'malformed_batch: ...' (defence in depth).
create function shoal_private.sync_check_batch(p_records jsonb)
returns void language plpgsql stable set search_path = '' as $$
declare
  v_rec jsonb;
  v_n bigint;
  v_why text;
begin
  if p_records is null or jsonb_typeof(p_records) <> 'array' then
    raise exception using errcode = '22023', message = 'malformed_batch: records must be an array';
  end if;
  if jsonb_array_length(p_records) > 500 then
    raise exception using errcode = '22023', message = 'malformed_batch: at most 500 records per push';
  end if;
  for v_rec, v_n in select e.value, e.n from jsonb_array_elements(p_records) with ordinality e(value, n) loop
    v_why := case
      when jsonb_typeof(v_rec) <> 'object' then 'not an object'
      when not shoal_private.sync_is_uuid(v_rec -> 'mutation_id') then 'mutation_id must be a uuid'
      when jsonb_typeof(v_rec -> 'resource') is distinct from 'string'
        or (v_rec ->> 'resource') not in ('products', 'inventory_levels', 'store_orders', 'customers', 'employees',
                                          'shifts', 'daily_reports') then 'unknown resource'
      when jsonb_typeof(v_rec -> 'op') is distinct from 'string'
        or (v_rec ->> 'op') not in ('upsert', 'delete', 'delta') then 'unknown op'
      when not shoal_private.sync_is_uuid(v_rec -> 'id') then 'id must be a uuid'
    end;
    if v_why is not null then
      raise exception using errcode = '22023', message = format('malformed_batch: record %s: %s', v_n, v_why);
    end if;
  end loop;
  if exists (select 1 from jsonb_array_elements(p_records) e group by lower(e ->> 'mutation_id') having count(*) > 1) then
    raise exception using errcode = '22023', message = 'malformed_batch: duplicate mutation_id';
  end if;
end
$$;

-- ------------------------------------------------------------------------ push
-- One call = one transaction. Answers {"results": [...]} in input order, each
-- {"mutation_id", "resource", "id", "status"} plus
--   applied    "version"
--   duplicate  "version" (applied by an earlier push of this device; nothing changes)
--   conflict   "code" (version_mismatch | not_found | insufficient_stock),
--              "server": {"version", "deleted", "data"} or null
--   invalid    "error": {"code", "message"}
-- Each record runs in its own savepoint (BEGIN ... EXCEPTION), so an invalid one is
-- rolled back alone. Runs as the device (its token: app_role = device, device_id,
-- brand_id): the devices' policies of 20261126002000 fence every row it reads or writes.
create function public.edge_sync_push(p_records jsonb)
returns jsonb language plpgsql security invoker set search_path = '' as $$
declare
  p_device_id constant uuid := shoal_private.claim_device();
  p_brand_id constant uuid := shoal_private.claim_brand();
  v_lock_device constant integer := 1398361667;  -- 'SYNC': one push per device at a time
  v_lock_record constant integer := 1398361668;  -- record ids, taken in key order
  v_key integer;
  v_rec jsonb;
  v_mid uuid;
  v_resource text;
  v_op text;
  v_id uuid;
  v_head jsonb;
  v_prev jsonb;
  v_out jsonb;
  v_results jsonb := '[]'::jsonb;
  v_state text;
  v_message text;
  v_detail text;
  v_constraint text;
  v_column text;
begin
  if p_device_id is null or p_brand_id is null then
    raise exception using errcode = '42501', message = 'edge_sync_push is for devices';
  end if;
  perform shoal_private.sync_check_batch(p_records);

  perform 1 from public.devices where id = p_device_id and brand_id = p_brand_id and status = 'active';
  if not found then
    raise exception using errcode = 'PT404', message = 'device_not_found';
  end if;

  -- A retry racing its first attempt waits for it and then answers "duplicate". Record
  -- locks are taken up front in one global order, so two pushes cannot deadlock each
  -- other, and two devices creating the same id are serialized (the second sees the row).
  perform pg_catalog.pg_advisory_xact_lock(v_lock_device, pg_catalog.hashtext(p_device_id::text));
  for v_key in select distinct pg_catalog.hashtext(lower(e ->> 'id')) from jsonb_array_elements(p_records) e order by 1 loop
    perform pg_catalog.pg_advisory_xact_lock(v_lock_record, v_key);
  end loop;

  for v_rec in select e.value from jsonb_array_elements(p_records) with ordinality e(value, n) order by e.n loop
    v_mid := (v_rec ->> 'mutation_id')::uuid;
    v_resource := v_rec ->> 'resource';
    v_op := v_rec ->> 'op';
    v_id := (v_rec ->> 'id')::uuid;
    v_head := jsonb_build_object('mutation_id', v_mid, 'resource', v_resource, 'id', v_id);

    select m.result into v_prev from public.sync_mutations m
     where m.device_id = p_device_id and m.mutation_id = v_mid and m.brand_id = p_brand_id;
    if found then
      v_results := v_results || jsonb_build_array(v_head || jsonb_build_object('status', 'duplicate', 'version', v_prev -> 'version'));
      continue;
    end if;

    begin
      v_out := shoal_private.sync_apply(p_brand_id, v_resource, v_op, v_id, v_rec -> 'base_version', v_rec -> 'data');
      if v_out ->> 'status' = 'applied' then
        insert into public.sync_mutations (device_id, mutation_id, brand_id, resource, record_id, result)
        values (p_device_id, v_mid, p_brand_id, v_resource, v_id, v_out);
      end if;
    exception when sqlstate 'PT422' or integrity_constraint_violation or data_exception then
      get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_detail = pg_exception_detail,
                              v_constraint = constraint_name, v_column = column_name;
      -- constraint errors are translated; their own detail could quote another row's values
      v_out := jsonb_build_object('status', 'invalid', 'error', case
        when v_state = 'PT422' then jsonb_build_object('code', v_message, 'message', v_detail)
        when v_state = '23505' and v_constraint like '%\_pkey' then
          jsonb_build_object('code', 'id_taken', 'message', 'this id cannot be used; create the record under a new id')
        when v_state = '23505' then
          jsonb_build_object('code', 'duplicate_value', 'message', 'another record of this brand has the same value (' || v_constraint || ')')
        when v_state = '23502' then
          jsonb_build_object('code', 'missing_field', 'message', v_column || ' is required')
        when v_state = '23503' then
          jsonb_build_object('code', 'unknown_reference', 'message', 'a reference names no record of this brand (' || v_constraint || ')')
        when v_state = '23514' then
          jsonb_build_object('code', 'invalid_value', 'message', 'a value is out of bounds (' || v_constraint || ')')
        else jsonb_build_object('code', 'invalid_value', 'message', v_message)
      end);
    end;
    v_results := v_results || jsonb_build_array(v_head || v_out);
  end loop;

  return jsonb_build_object('results', v_results);
end
$$;

-- ------------------------------------------------------------------------ pull
-- Changes of the brand after p_since, in change_seq order:
--   {"changes": [{"resource", "id", "version", "deleted", "seq", "device_id", "updated_at", "data"}],
--    "next": last seq returned (p_since when none), "has_more": bool}
-- Only sequence values that can no longer be overtaken are handed out: at most the
-- highest value assigned so far, and at most the lowest floor still held by a writing
-- transaction (see sync_stamp). Both are read BEFORE the statement that reads the rows,
-- which therefore takes a later snapshot: every value up to the ceiling belongs to a
-- transaction that had finished by then. This needs a new snapshot per statement, hence
-- VOLATILE (not STABLE) and read committed (PostgREST's default for POST /rpc).
-- Runs as the device: its brand is the token's, and the policies hide every other brand.
create function public.edge_sync_pull(p_since bigint, p_limit integer)
returns jsonb language plpgsql security invoker set search_path = '' as $$
declare
  p_brand_id constant uuid := shoal_private.claim_brand();
  v_since bigint := greatest(coalesce(p_since, 0), 0);
  v_limit integer := least(greatest(coalesce(p_limit, 500), 1), 500);
  v_assigned bigint;
  v_floor bigint;
  v_ceiling bigint;
  v_changes jsonb;
  v_count integer;
begin
  if shoal_private.claim_device() is null or p_brand_id is null then
    raise exception using errcode = '42501', message = 'edge_sync_pull is for devices';
  end if;
  if current_setting('transaction_isolation') <> 'read committed' then
    raise exception using errcode = '25000', message = 'edge_sync_pull needs a read committed transaction';
  end if;
  v_assigned := shoal_private.sync_assigned_seq();   -- first the highest value handed out,
  v_floor := shoal_private.sync_oldest_floor();       -- then who may still hold a lower one
  v_ceiling := least(v_assigned, v_floor);

  with page as (
    -- each branch stops at v_limit + 1 rows in change_seq order (its (brand_id, change_seq)
    -- index), so a page computes the data of at most 7 × (limit + 1) rows, never of the
    -- whole feed after the cursor
    select c.* from (
      (select 'products'::text as resource, t.id, t.version, t.status = 'archived' as deleted, t.change_seq as seq,
               t.device_id, t.updated_at, shoal_private.sync_data_products(t) as data
          from public.products t
         where t.brand_id = p_brand_id and t.change_seq > v_since and t.change_seq <= v_ceiling
        order by t.change_seq limit v_limit + 1)
      union all
      (select 'inventory_levels', t.variant_id, t.version, false, t.change_seq,
               t.device_id, t.updated_at, shoal_private.sync_data_inventory_levels(t)
          from public.inventory_levels t
         where t.brand_id = p_brand_id and t.change_seq > v_since and t.change_seq <= v_ceiling
        order by t.change_seq limit v_limit + 1)
      union all
      (select 'store_orders', t.id, t.version, t.deleted_at is not null, t.change_seq,
               t.device_id, t.updated_at, shoal_private.sync_data_store_orders(t)
          from public.store_orders t
         where t.brand_id = p_brand_id and t.change_seq > v_since and t.change_seq <= v_ceiling
        order by t.change_seq limit v_limit + 1)
      union all
      (select 'customers', t.id, t.version, t.deleted_at is not null, t.change_seq,
               t.device_id, t.updated_at, shoal_private.sync_data_customers(t)
          from public.customers t
         where t.brand_id = p_brand_id and t.change_seq > v_since and t.change_seq <= v_ceiling
        order by t.change_seq limit v_limit + 1)
      union all
      (select 'employees', t.id, t.version, t.deleted_at is not null, t.change_seq,
               t.device_id, t.updated_at, shoal_private.sync_data_employees(t)
          from public.employees t
         where t.brand_id = p_brand_id and t.change_seq > v_since and t.change_seq <= v_ceiling
        order by t.change_seq limit v_limit + 1)
      union all
      (select 'shifts', t.id, t.version, t.deleted_at is not null, t.change_seq,
               t.device_id, t.updated_at, shoal_private.sync_data_shifts(t)
          from public.shifts t
         where t.brand_id = p_brand_id and t.change_seq > v_since and t.change_seq <= v_ceiling
        order by t.change_seq limit v_limit + 1)
      union all
      (select 'daily_reports', t.id, t.version, t.deleted_at is not null, t.change_seq,
               t.device_id, t.updated_at, shoal_private.sync_data_daily_reports(t)
          from public.daily_reports t
         where t.brand_id = p_brand_id and t.change_seq > v_since and t.change_seq <= v_ceiling
        order by t.change_seq limit v_limit + 1)
    ) c
    order by c.seq
    limit v_limit + 1   -- one more than asked: tells has_more
  )
  select coalesce(jsonb_agg(jsonb_build_object('resource', resource, 'id', id, 'version', version, 'deleted', deleted,
                                               'seq', seq, 'device_id', device_id, 'updated_at', updated_at, 'data', data)
                            order by seq), '[]'::jsonb),
         count(*)
    into v_changes, v_count
    from page;

  if v_count > v_limit then
    v_changes := v_changes - v_limit;   -- drop the extra one
  end if;
  return jsonb_build_object('changes', v_changes,
                            'next', coalesce((v_changes -> -1 ->> 'seq')::bigint, v_since),
                            'has_more', v_count > v_limit);
end
$$;

-- ------------------------------------------------------------------------ retention
-- The cron run forgets applied mutations after p_days (in batches, so one run never holds
-- a long lock); returns how many went.
create function public.prune_sync_mutations(p_days integer)
returns integer language sql security definer set search_path = '' as $$
  with gone as (
    delete from public.sync_mutations
     where ctid in (select ctid from public.sync_mutations
                     where created_at < now() - make_interval(days => greatest(p_days, 1)) limit 10000)
    returning 1)
  select count(*)::int from gone
$$;
revoke execute on function public.prune_sync_mutations(integer) from public, anon, authenticated;
grant execute on function public.prune_sync_mutations(integer) to service_role;

revoke execute on function public.edge_sync_push(jsonb), public.edge_sync_pull(bigint, integer) from public, anon;
grant execute on function public.edge_sync_push(jsonb), public.edge_sync_pull(bigint, integer) to authenticated;
-- what push and pull call, running as the device
grant execute on function shoal_private.sync_floor_key(bigint), shoal_private.sync_assigned_seq(),
  shoal_private.sync_oldest_floor(), shoal_private.sync_refuse(text, text), shoal_private.sync_is_uuid(jsonb),
  shoal_private.sync_text(jsonb, text), shoal_private.sync_bigint(jsonb, text), shoal_private.sync_int(jsonb, text),
  shoal_private.sync_bool(jsonb, text), shoal_private.sync_uuid(jsonb, text), shoal_private.sync_timestamptz(jsonb, text),
  shoal_private.sync_date(jsonb, text), shoal_private.sync_object(jsonb, text), shoal_private.sync_objects(jsonb, text),
  shoal_private.sync_check_ref(uuid, text, uuid, text),
  shoal_private.sync_data_products(public.products), shoal_private.sync_data_inventory_levels(public.inventory_levels),
  shoal_private.sync_data_customers(public.customers), shoal_private.sync_data_employees(public.employees),
  shoal_private.sync_data_shifts(public.shifts), shoal_private.sync_data_daily_reports(public.daily_reports),
  shoal_private.sync_data_store_orders(public.store_orders),
  shoal_private.sync_id_elsewhere(text, uuid), shoal_private.sync_current(text, uuid, uuid),
  shoal_private.sync_delete(text, uuid, uuid), shoal_private.sync_upsert_products(uuid, uuid, boolean, jsonb),
  shoal_private.sync_upsert_customers(uuid, uuid, boolean, jsonb), shoal_private.sync_upsert_employees(uuid, uuid, boolean, jsonb),
  shoal_private.sync_upsert_shifts(uuid, uuid, boolean, jsonb), shoal_private.sync_upsert_daily_reports(uuid, uuid, boolean, jsonb),
  shoal_private.sync_upsert_store_orders(uuid, uuid, boolean, jsonb), shoal_private.sync_inventory_delta(uuid, uuid, jsonb),
  shoal_private.sync_apply(uuid, text, text, uuid, jsonb, jsonb), shoal_private.sync_check_batch(jsonb)
  to authenticated;
